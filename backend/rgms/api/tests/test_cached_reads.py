"""A cached read of the hot endpoints is one Redis round trip: the view's body comes in the
same MGET as the request's user (rgms.api.caching), and a wrong guess costs only a second."""

from __future__ import annotations

import pytest
from django.core.cache import cache as django_cache
from rest_framework.test import APIClient

from rgms.cadets.models import Cadet
from rgms.core import cache
from rgms.core.testing import CallCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    cache.stats()  # counts pending from earlier requests are added now, not among the calls
    wrapper = CallCounter(django_cache)
    monkeypatch.setattr(cache, "cache", wrapper)
    return wrapper


def _read_twice(client: APIClient, path: str, counter: CallCounter) -> tuple[bytes, bytes]:
    first = client.get(path)  # fills the cache (the user and the body)
    assert first.status_code == 200, first.content
    counter.calls.clear()
    second = client.get(path)
    assert second.status_code == 200, second.content
    return first.content, second.content


@pytest.mark.parametrize(
    ("client_fixture", "path"),
    [
        ("cadet_client", "profile"),
        ("admin_client", "profile"),
        ("cadet_client", "/api/v1/notifications/"),
        ("staff_client", "/api/v1/notifications/unread-count/"),
        ("admin_client", "/api/v1/notifications/?scope=all"),
        ("admin_client", "/api/v1/cadets/?page_size=5"),
        ("staff_client", "/api/v1/cadets/"),
    ],
)
def test_a_cached_read_is_one_round_trip(
    request: pytest.FixtureRequest, client_fixture: str, path: str, cadet: Cadet, counter
) -> None:
    # given a client, and a read it has made before
    client = request.getfixturevalue(client_fixture)
    path = f"/api/v1/cadets/{cadet.pk}/" if path == "profile" else path
    # when it reads again
    first, second = _read_twice(client, path, counter)
    # then the same body came back with one MGET, the user's and the body's keys together
    assert second == first
    assert counter.calls == ["get_many"]


def test_a_wrong_guess_costs_a_round_trip_never_an_answer(
    cadet_client: APIClient, other_cadet: Cadet, counter
) -> None:
    # given a cadet asking for another cadet's profile (the guess names the other's body)
    path = f"/api/v1/cadets/{other_cadet.pk}/"
    assert cadet_client.get(path).status_code == 404
    counter.calls.clear()
    # when asked again, then it is still not found, read with a lookup of its own
    assert cadet_client.get(path).status_code == 404
    assert counter.calls == ["get_many", "get_many"]


@pytest.mark.django_db(transaction=True)  # the write's invalidation runs on commit
def test_a_read_after_a_write_is_fresh(admin_client: APIClient, cadet: Cadet, counter) -> None:
    # given an admin's cached profile read
    path = f"/api/v1/cadets/{cadet.pk}/"
    _read_twice(admin_client, path, counter)
    # when the cadet's name changes
    response = admin_client.patch(path, {"first_name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    # then the next read (its body fetched with the user) has the new name
    assert admin_client.get(path).json()["first_name"] == "Renamed"
