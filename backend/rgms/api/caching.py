"""Views whose cached read is fetched together with the request's user.

A cached read costs two Redis round trips: the authentication looks the token's user up
(``rgms.users.caching``), then the view reads its cached body. A view that can name its read
from the token's claims (user id, role) and the URL alone declares it in ``cached_reads``;
the authentication then fetches it in the same MGET as the user (``rgms.core.cache.want``),
and the view's own lookup finds it there. The names are only a hint: the view still computes
its read from the authenticated user, and takes a fetched value only under exactly those keys,
so a wrong guess (a cadet asking for another cadet's profile) costs the second round trip,
never a wrong answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from rest_framework.request import Request

from rgms.core import cache


# No class docstring: drf-spectacular would take it as the description of every operation of
# a view that has none of its own.
class CachedReadsMixin:
    def dispatch(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with cache.request_scope():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def cached_reads(self, claims: Any) -> list[cache.Read]:
        """The reads this request will make, named from the verified token's `claims` and the
        view's action and URL arguments (``self.action``, ``self.kwargs``, ``self.request``)."""
        return []


def want_reads_of(view: Any, claims: Any) -> None:
    """Ask for `view`'s cached reads (the authentication calls this before its user lookup)."""
    if isinstance(view, CachedReadsMixin):
        cache.want(view.cached_reads(claims))
