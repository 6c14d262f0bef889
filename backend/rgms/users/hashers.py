"""Password hasher that verifies legacy bcryptjs hashes as they were stored.

The legacy backend hashed with bcryptjs (`$2a$`, cost 10), which silently uses only the first
72 bytes of a password. The `bcrypt` package (5.x) refuses longer passwords instead, so we
truncate exactly as bcryptjs did; otherwise a legacy password longer than 72 bytes would
never verify. New passwords never use this hasher: the first login re-hashes them with the
preferred hasher (first in PASSWORD_HASHERS).
"""

from __future__ import annotations

from django.contrib.auth.hashers import BCryptPasswordHasher
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes

BCRYPT_MAX_PASSWORD_BYTES = 72


class LegacyBCryptPasswordHasher(BCryptPasswordHasher):
    algorithm = "bcrypt"

    def verify(self, password: str, encoded: str) -> bool:
        algorithm, data = encoded.split("$", 1)
        if algorithm != self.algorithm:
            return False
        bcrypt = self._load_library()
        raw = force_bytes(password)[:BCRYPT_MAX_PASSWORD_BYTES]
        try:
            hashed = bcrypt.hashpw(raw, force_bytes(data))
        except ValueError:
            # Not a bcrypt hash at all (e.g. a corrupted row): a failed login, never a 500.
            return False
        return constant_time_compare(data, hashed.decode("ascii"))
