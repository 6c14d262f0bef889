"""Project-wide fixtures: one user per role, API clients carrying real JWTs, media in a
temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from rgms.authentication.tokens import access_token_for_user
from rgms.cadets.models import Cadet
from rgms.users.models import Role, User


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    # RGMS tokens carry role and password-version claims; simplejwt's own RefreshToken lacks them.
    token = access_token_for_user(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: str = Role.CADET, **fields: object) -> User:
        n = next(counter)
        fields.setdefault("username", f"{role}-{n}")
        fields.setdefault("is_approved", True)
        return User.objects.create_user(password="correct horse battery", role=role, **fields)

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def staff_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.TRAINING_STAFF)


@pytest.fixture
def cadet_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.CADET)


@pytest.fixture
def admin_client(admin_user: User) -> APIClient:
    return bearer_client(admin_user)


@pytest.fixture
def staff_client(staff_user: User) -> APIClient:
    return bearer_client(staff_user)


@pytest.fixture
def cadet_client(cadet_user: User) -> APIClient:
    return bearer_client(cadet_user)


@pytest.fixture(autouse=True)
def _empty_read_cache() -> None:
    """The read cache outlives each test's database rollback: start every test empty, or a
    cached page of an earlier test's rows would answer this one."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis: only this process's key prefix
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture
def other_cadet_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.CADET)


@pytest.fixture
def other_cadet_client(other_cadet_user: User) -> APIClient:
    return bearer_client(other_cadet_user)


@pytest.fixture
def role_clients(
    api_client: APIClient,
    cadet_client: APIClient,
    other_cadet_client: APIClient,
    staff_client: APIClient,
    admin_client: APIClient,
) -> dict[str, APIClient]:
    """One client per row of an authorization matrix; "cadet" owns the objects under test."""
    return {
        "anonymous": api_client,
        "cadet": cadet_client,
        "other_cadet": other_cadet_client,
        "staff": staff_client,
        "admin": admin_client,
    }


@pytest.fixture
def cadet(cadet_user: User) -> Cadet:
    """The cadet profile (with its grade row) of `cadet_user`: the owner in matrix tests."""
    from rgms.cadets.tests.factories import CadetFactory
    from rgms.grading.models import Grade

    profile = CadetFactory(last_name="Owner")
    Grade.objects.create(cadet=profile)
    cadet_user.cadet = profile
    cadet_user.save(update_fields=["cadet"])
    return profile


@pytest.fixture
def other_cadet(other_cadet_user: User) -> Cadet:
    """The cadet profile of `other_cadet_user`, who must never see `cadet`'s records."""
    from rgms.cadets.tests.factories import CadetFactory
    from rgms.grading.models import Grade

    profile = CadetFactory(last_name="Other")
    Grade.objects.create(cadet=profile)
    other_cadet_user.cadet = profile
    other_cadet_user.save(update_fields=["cadet"])
    return profile
