"""legacy_password_to_django: the conversion the importer applies to users.password."""

from __future__ import annotations

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, is_password_usable
from hypothesis import given
from hypothesis import strategies as st

from rgms.users.passwords import (
    legacy_password_corresponds,
    legacy_password_is_usable,
    legacy_password_to_django,
)

# Real hashes (bcrypt cost 4 for speed; the shape is the same at cost 10). The salt is fixed
# so the parameter ids are the same in every process (pytest-xdist compares collections).
SALT = b"LegacySaltForTests123u"
HASH_2A = bcrypt.hashpw(b"secret", b"$2a$04$" + SALT).decode()
HASH_2B = bcrypt.hashpw(b"secret", b"$2b$04$" + SALT).decode()
HASH_2Y = "$2y$" + HASH_2B[4:]
HASH_COST_10 = bcrypt.hashpw(b"secret", b"$2a$10$" + SALT).decode()


@pytest.mark.parametrize("legacy", [HASH_2A, HASH_2B, HASH_2Y, HASH_COST_10])
def test_bcrypt_hashes_go_under_the_plain_bcrypt_prefix(legacy: str) -> None:
    converted = legacy_password_to_django(legacy)
    assert converted == f"bcrypt${legacy}"
    assert not converted.startswith("bcrypt_sha256$")
    assert legacy_password_corresponds(legacy, converted)


@pytest.mark.parametrize(
    "legacy",
    [
        "$2a$10$DUMMYHASHFORIMPORTEDCADETSXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "$2a$10$DUMMY",
        "$2a$10$dummy.hash.placeholder.value.that.is.sixty.chars.xx",
        "",
        None,
        "   ",
        "secret",
        "bcrypt$" + HASH_2A,  # already converted: not a legacy value
        "bcrypt_sha256$" + HASH_2A,
        HASH_2A + "\n",  # stray whitespace is not silently accepted
        " " + HASH_2A,
        HASH_2A[:-1],  # truncated
        HASH_2A + "x",
        "$2x$04$" + HASH_2A[7:],  # the buggy 2x variant
        "$2a$03$" + HASH_2A[7:],  # cost out of range
        "$2a$32$" + HASH_2A[7:],
        "$2a$04$" + HASH_2A[7:28] + "A" + HASH_2A[29:],  # impossible last salt character
        "$2a$04$" + HASH_2A[7:59] + "B",  # impossible last hash character
        "$1$saltsalt$md5cryptvalue",
        "pbkdf2_sha256$600000$salt$hash",
    ],
)
def test_anything_else_becomes_unusable(legacy: str | None) -> None:
    converted = legacy_password_to_django(legacy)
    assert not is_password_usable(converted)
    assert not legacy_password_is_usable(legacy)
    assert legacy_password_corresponds(legacy, converted)


def test_unusable_values_are_distinct() -> None:
    assert legacy_password_to_django(None) != legacy_password_to_django(None)


def test_corresponds_catches_differences() -> None:
    assert not legacy_password_corresponds(HASH_2A, f"bcrypt${HASH_2B}")
    assert not legacy_password_corresponds(HASH_2A, legacy_password_to_django(None))
    assert not legacy_password_corresponds("$2a$10$DUMMY", f"bcrypt${HASH_2A}")
    assert not legacy_password_corresponds(HASH_2A, None)


@given(
    password=st.binary(min_size=1, max_size=72).filter(lambda b: b"\0" not in b),
    prefix=st.sampled_from([b"2a", b"2b"]),
)
def test_every_real_bcrypt_hash_is_accepted(password: bytes, prefix: bytes) -> None:
    legacy = bcrypt.hashpw(password, bcrypt.gensalt(4, prefix=prefix)).decode()
    assert legacy_password_is_usable(legacy)


@given(st.text(max_size=80))
def test_arbitrary_text_never_verifies_anything(value: str) -> None:
    converted = legacy_password_to_django(value)
    if not legacy_password_is_usable(value):
        assert not is_password_usable(converted)
        assert not check_password(value, converted)
