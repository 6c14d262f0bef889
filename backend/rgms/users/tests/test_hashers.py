"""LegacyBCryptPasswordHasher: verifies bcryptjs hashes as stored, 72-byte truncation included."""

from __future__ import annotations

import bcrypt
import pytest

from rgms.users.hashers import LegacyBCryptPasswordHasher


def legacy(password: str, cost: int = 4) -> str:
    return "bcrypt$" + bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(cost)).decode()


def test_verifies_the_right_password_only() -> None:
    hasher = LegacyBCryptPasswordHasher()
    encoded = legacy("  spaced out  ")
    assert hasher.verify("  spaced out  ", encoded)
    assert not hasher.verify("spaced out", encoded)


def test_passwords_longer_than_72_bytes_use_the_first_72_like_bcryptjs() -> None:
    hasher = LegacyBCryptPasswordHasher()
    long_password = "ñ" * 50  # 100 bytes of UTF-8
    encoded = legacy(long_password)
    assert hasher.verify(long_password, encoded)
    assert hasher.verify(long_password + " and more", encoded)


@pytest.mark.parametrize(
    "encoded", ["bcrypt$garbage", "bcrypt$", "bcrypt$$2a$10$short", "bcrypt_sha256$x", "md5$a$b"]
)
def test_malformed_values_are_false_not_errors(encoded: str) -> None:
    assert LegacyBCryptPasswordHasher().verify("anything", encoded) is False


def test_is_the_plain_bcrypt_algorithm() -> None:
    assert LegacyBCryptPasswordHasher.algorithm == "bcrypt"
