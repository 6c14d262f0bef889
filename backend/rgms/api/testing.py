"""Helpers for the API's own tests."""

from __future__ import annotations

from rest_framework.test import APIClient

ME = "/api/v1/auth/me"


def warm_shared_lookups(client: APIClient) -> None:
    """Fill the cached lookups that requests share, as any earlier request would: the user of
    this client's token (rgms.users.caching) and the number of training days. A query count
    taken next is then the endpoint's own, not a first request's extra queries."""
    from rgms.cadets.selectors import training_day_count

    assert client.get(ME).status_code == 200
    training_day_count()
