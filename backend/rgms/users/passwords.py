"""Legacy password column -> Django password field: the one documented conversion.

The legacy backend stored bcryptjs hashes (``$2a$10$...``, 60 characters) in ``users.password``.
They are stored here under the plain ``bcrypt$`` prefix so that
``rgms.users.hashers.LegacyBCryptPasswordHasher`` verifies them as they are, and the first
successful login re-hashes the password with the preferred hasher (first in PASSWORD_HASHERS).
They are NOT stored under ``bcrypt_sha256$``: that hasher runs SHA-256 over the password before
bcrypt, so a raw bcrypt hash under its prefix never verifies (docs/adr/0001).

Anything that is not a well-formed bcrypt hash (the ``$2a$10$DUMMY...`` placeholder the legacy
app gave imported cadets, an empty or NULL column, garbage) becomes an unusable password: the
account exists but cannot log in until its owner sets a password through a reset link
(docs/authentication.md). The migration importer and verifier both call these functions, so
the rule lives once.
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password

LEGACY_BCRYPT_ALGORITHM = "bcrypt"

# $2a$ (bcryptjs), $2b$ (OpenBSD, pyca) and $2y$ (PHP) are the same algorithm for passwords of
# at most 72 bytes. Cost 04-31, then 22 characters of salt and 31 of hash in bcrypt's base64.
# The last salt character carries 2 bits (so only . O e u occur) and the last hash character
# 4 bits; anything else cannot have come out of a bcrypt implementation.
_BCRYPT_HASH = re.compile(
    r"\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$"
    r"[./A-Za-z0-9]{21}[.Oeu]"
    r"[./A-Za-z0-9]{30}[.CGKOSWaeimquy26]"
)

# The legacy app's placeholder for passwordless cadets is shaped like a bcrypt hash with a salt
# that spells DUMMY; a real salt starts so with probability 64**-5 (about 1e-9).
_PLACEHOLDER_SALT = re.compile(r"\$2[abxy]\$\d\d\$dummy", re.IGNORECASE)


def legacy_password_is_usable(value: object) -> bool:
    """True when the legacy password column holds a real bcrypt hash someone can log in with."""
    return (
        isinstance(value, str)
        and _BCRYPT_HASH.fullmatch(value) is not None
        and _PLACEHOLDER_SALT.match(value) is None
    )


def legacy_password_to_django(value: str | None) -> str:
    """The Django ``password`` field value for a legacy ``users.password`` column value.

    A bcrypt hash becomes ``bcrypt$<hash>`` (verified by the plain bcrypt hasher, upgraded on
    the first login); anything else becomes an unusable password (``!`` + random text, as
    ``make_password(None)`` makes). Pure apart from the randomness of unusable values.
    """
    if legacy_password_is_usable(value):
        return f"{LEGACY_BCRYPT_ALGORITHM}${value}"
    return make_password(None)


def legacy_password_corresponds(legacy_value: str | None, django_value: str | None) -> bool:
    """Whether a stored Django password is what :func:`legacy_password_to_django` makes of the
    legacy value (for the migration verifier: unusable values are random, so equality of the
    strings cannot be asked of them)."""
    if django_value is None:
        return False
    if legacy_password_is_usable(legacy_value):
        return django_value == f"{LEGACY_BCRYPT_ALGORITHM}${legacy_value}"
    return django_value.startswith(UNUSABLE_PASSWORD_PREFIX)
