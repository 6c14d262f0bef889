"""Every migrated user logs in with their legacy password (MISSION C, R27.3).

Legacy hashes are made here as bcryptjs made them (UTF-8, the first 72 bytes, ``$2a$``; also
``$2b$`` and ``$2y$``), converted by ``legacy_password_to_django`` exactly as the importer does,
and checked through the real login endpoint with the production PASSWORD_HASHERS. After the
first login the stored hash must be the preferred hasher's, and it must log in again.

The generated examples use bcrypt cost 4 for both the legacy hash and the preferred hasher's
rounds, which changes the work factor and nothing else; one test runs the real costs (10 for
the legacy hash, Django's default 12 for the upgrade).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bcrypt
import pytest
from django.contrib.auth.hashers import BCryptSHA256PasswordHasher, check_password, get_hasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rgms.authentication.tests.conftest import forget_login_failures
from rgms.users.models import Role, User
from rgms.users.passwords import legacy_password_is_usable, legacy_password_to_django

pytestmark = pytest.mark.django_db

BCRYPTJS_MAX_BYTES = 72
# Characters a JSON login body can carry and DRF accepts (no NUL, no lone surrogates).
_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
legacy_passwords = st.one_of(
    st.text(_chars, min_size=1, max_size=24),
    # longer than bcrypt's 72 bytes: bcryptjs used the first 72, and so must we
    st.text(_chars, min_size=73, max_size=160),
    st.text(
        st.characters(min_codepoint=0x80, exclude_categories=("Cs",)), min_size=19, max_size=40
    ),
    # empty-ish: only spaces and other blank characters
    st.text(st.sampled_from(" \t\n\u00a0\u2003\u200b\u3000"), min_size=1, max_size=8),
    # spaces around a word, which an earlier rewrite trimmed away
    st.builds(
        lambda word, left, right: " " * left + word + " " * right,
        st.text(_chars, min_size=1, max_size=12),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
)
prefixes = st.sampled_from(["2a", "2b", "2y"])


def bcryptjs_hash(password: str, prefix: str, cost: int) -> str:
    """A hash as bcryptjs 2.4.3 stored it: UTF-8 bytes, truncated to 72."""
    salt = bcrypt.gensalt(cost, prefix=b"2a" if prefix == "2a" else b"2b")
    hashed = bcrypt.hashpw(password.encode("utf-8")[:BCRYPTJS_MAX_BYTES], salt).decode("ascii")
    return hashed if prefix != "2y" else "$2y$" + hashed[4:]


@pytest.fixture
def legacy_user() -> User:
    return User.objects.create(username="legacy-cadet", role=Role.CADET, is_approved=True)


@pytest.fixture
def cheap_preferred_hasher(
    production_hashers: list[str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    monkeypatch.setattr(BCryptSHA256PasswordHasher, "rounds", 4)
    return production_hashers


def _stored(user: User) -> str:
    return User.objects.values_list("password", flat=True).get(pk=user.pk)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=legacy_passwords, prefix=prefixes)
def test_generated_legacy_passwords_log_in_and_are_upgraded(
    login: Callable, legacy_user: User, cheap_preferred_hasher: Any, password: str, prefix: str
) -> None:
    # given a legacy hash of the password, imported through the converter
    legacy = bcryptjs_hash(password, prefix, cost=4)
    assert legacy_password_is_usable(legacy)
    converted = legacy_password_to_django(legacy)
    assert converted == f"bcrypt${legacy}"
    User.objects.filter(pk=legacy_user.pk).update(password=converted)
    forget_login_failures()
    # when the user logs in with the password, exactly as typed
    first = login(legacy_user.username, password)
    # then
    assert first.status_code == 200, first.json()
    # and the stored hash was upgraded to the preferred hasher
    upgraded = _stored(legacy_user)
    assert upgraded.startswith(f"{get_hasher('default').algorithm}$")
    assert upgraded != converted
    assert check_password(password, upgraded)
    # and the upgraded hash logs in again
    assert login(legacy_user.username, password).status_code == 200
    assert _stored(legacy_user) == upgraded


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=legacy_passwords, other=legacy_passwords, prefix=prefixes)
def test_a_different_password_never_logs_in(
    login: Callable,
    legacy_user: User,
    cheap_preferred_hasher: Any,
    password: str,
    other: str,
    prefix: str,
) -> None:
    # given (bcryptjs ignored bytes past 72: passwords equal in those are the same password)
    same_prefix = password.encode()[:BCRYPTJS_MAX_BYTES] == other.encode()[:BCRYPTJS_MAX_BYTES]
    converted = legacy_password_to_django(bcryptjs_hash(password, prefix, cost=4))
    User.objects.filter(pk=legacy_user.pk).update(password=converted)
    forget_login_failures()
    # when
    response = login(legacy_user.username, other)
    # then
    assert response.status_code == (200 if same_prefix else 401)
    if not same_prefix:
        assert _stored(legacy_user) == converted  # a failed login changes nothing


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    password=legacy_passwords,
    tail=st.text(
        st.sampled_from("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        min_size=0,
        max_size=60,
    ),
    prefix=st.sampled_from(["$2a$10$DUMMY", "$2a$10$dummy", "$2b$10$Dummy", "$2a$10$DUMMY_"]),
)
def test_placeholder_never_verifies(
    login: Callable,
    legacy_user: User,
    cheap_preferred_hasher: Any,
    password: str,
    tail: str,
    prefix: str,
) -> None:
    # given a cadet imported with the legacy placeholder (whatever its exact tail)
    placeholder = prefix + tail
    converted = legacy_password_to_django(placeholder)
    User.objects.filter(pk=legacy_user.pk).update(password=converted)
    forget_login_failures()
    # then no password verifies, not even the placeholder itself
    assert not check_password(password, converted)
    assert not check_password(placeholder, converted)
    assert login(legacy_user.username, password).status_code == 401


def test_real_costs_legacy_cost_10_upgraded_to_default_rounds(
    login: Callable, legacy_user: User, production_hashers: list[str]
) -> None:
    # given a cost-10 $2a$ hash, as the legacy database holds them
    password = "  Mabuhay ROTC 2019! ñ  "
    legacy = bcryptjs_hash(password, "2a", cost=10)
    assert legacy.startswith("$2a$10$")
    User.objects.filter(pk=legacy_user.pk).update(password=legacy_password_to_django(legacy))
    # when
    response = login(legacy_user.username, password)
    # then
    assert response.status_code == 200
    upgraded = _stored(legacy_user)
    algorithm, _, _, rounds, _ = upgraded.split("$", 4)
    assert algorithm == "bcrypt_sha256"
    assert int(rounds) == BCryptSHA256PasswordHasher.rounds == 12


def test_password_longer_than_72_bytes_keeps_its_whole_length_after_upgrade(
    login: Callable, legacy_user: User, cheap_preferred_hasher: Any
) -> None:
    # given a legacy password of 100 bytes (bcryptjs looked at the first 72)
    password = "x" * 72 + "legacy-tail-ignored-by-bcryptjs"
    legacy = bcryptjs_hash(password, "2a", cost=4)
    User.objects.filter(pk=legacy_user.pk).update(password=legacy_password_to_django(legacy))
    # when the first login upgrades the hash
    assert login(legacy_user.username, password).status_code == 200
    # then the new hash covers the whole password
    assert check_password(password, _stored(legacy_user))
    assert not check_password("x" * 72, _stored(legacy_user))
