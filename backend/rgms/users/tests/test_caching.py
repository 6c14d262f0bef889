"""The cached user lookup of every authenticated request: one query for the first request,
none after, and every way a user row changes is seen by the very next request."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import bearer_client
from rgms.api.testing import ME
from rgms.cadets.tests.factories import CadetFactory
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db


def user_queries(client: APIClient) -> int:
    """Lookups of the user's row (not the password hash, which auth/me loads on its own to
    say whether the password is usable: the cached row has none)."""
    with CaptureQueriesContext(connection) as context:
        assert client.get(ME).status_code == 200
    return sum('"users_user"."username"' in query["sql"] for query in context.captured_queries)


def refusal(client: APIClient) -> tuple[int, str]:
    response = client.get(ME)
    return response.status_code, response.json().get("code", "")


def test_the_user_row_is_read_once_then_served_from_the_cache(admin_user: User) -> None:
    client = bearer_client(admin_user)
    assert user_queries(client) == 1
    assert user_queries(client) == 0


CHANGES: dict[str, tuple[Callable[[User], None], str]] = {
    "archived by a queryset update": (
        lambda user: User.objects.filter(pk=user.pk).update(is_archived=True),
        "account_archived",
    ),
    "unapproved by save()": (
        lambda user: (setattr(user, "is_approved", False), user.save()),
        "account_pending_approval",
    ),
    "role changed by save(update_fields)": (
        lambda user: (
            setattr(user, "role", Role.TRAINING_STAFF),
            user.save(update_fields=["role"]),
        ),
        "role_changed",
    ),
    "password changed": (
        lambda user: (user.set_password("another horse battery"), user.save()),
        "password_changed",
    ),
    "deleted": (lambda user: user.delete(), "user_not_found"),
    "deleted with its cadet (cascade)": (
        lambda user: user.cadet.delete(),
        "user_not_found",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_a_cached_user_is_seen_by_the_next_request(
    make_user: Callable[..., User], change: str
) -> None:
    # given a cadet whose user row is cached by a first request
    user = make_user(Role.CADET, cadet=CadetFactory())
    client = bearer_client(user)
    assert client.get(ME).status_code == 200
    # when the row changes, however it is changed
    apply, code = CHANGES[change]
    apply(user)
    # then the next request with the same token is refused for that reason
    assert refusal(client) == (401, code)


def test_the_cached_user_is_dropped_again_when_the_change_commits(
    admin_user: User, django_capture_on_commit_callbacks
) -> None:
    # given a cached user
    client = bearer_client(admin_user)
    assert client.get(ME).status_code == 200
    # when a change is made, and a request in between caches the row again
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        User.objects.filter(pk=admin_user.pk).update(email="new@example.edu")
    assert user_queries(client) == 1
    assert user_queries(client) == 0
    # then the commit drops it once more (a reader racing the commit cannot keep a stale row)
    for callback in callbacks:
        callback()
    assert user_queries(client) == 1


def test_the_cache_never_holds_the_password_hash(admin_user: User) -> None:
    from django.core.cache import cache

    from rgms.core.cache import cache_key
    from rgms.users.caching import signing_key_id, user_namespace

    assert bearer_client(admin_user).get(ME).status_code == 200
    entry = cache.get(cache_key([user_namespace(admin_user.pk)], "row", signing_key_id()))
    assert entry is not None
    assert admin_user.password.encode() not in pickle.dumps(entry)


def test_a_password_change_checks_the_old_password_of_a_cached_user(
    make_user: Callable[..., User],
) -> None:
    # given a user whose row (without its hash) is cached by a first request
    user = make_user(Role.CADET)
    client = bearer_client(user)
    assert client.get(ME).status_code == 200
    # when the password is changed, the old one is checked against the database's hash
    change = "/api/v1/auth/password/change"
    wrong = client.post(
        change, {"old_password": "wrong", "new_password": "a new Long passphrase 42"}
    )
    right = client.post(
        change,
        {"old_password": "correct horse battery", "new_password": "a new Long passphrase 42"},
    )
    # then the wrong one is refused, the right one accepted
    assert wrong.status_code == 400
    assert right.status_code == 200
    assert refusal(client) == (401, "password_changed")


def test_a_token_signed_after_a_key_rotation_is_accepted_while_the_old_entry_is_cached(
    admin_user: User, settings
) -> None:
    # given the user's row cached under the current SECRET_KEY
    assert bearer_client(admin_user).get(ME).status_code == 200
    # when the key is rotated and the user logs in again (a token signed with the new key)
    settings.SECRET_KEY = "a rotated signing key " + "x" * 40
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": settings.SECRET_KEY}
    # then the password fingerprint cached under the old key does not refuse it
    assert bearer_client(admin_user).get(ME).status_code == 200
