"""Helpers for the API's own tests."""

from __future__ import annotations

from rest_framework.test import APIClient

ME = "/api/v1/auth/me"


def warm_user_lookup(client: APIClient) -> None:
    """Fill the cached user lookup of this client's token (rgms.users.caching), as any earlier
    request of the client would, so that a query count taken next is the endpoint's own and
    not the first request's extra user query."""
    assert client.get(ME).status_code == 200
