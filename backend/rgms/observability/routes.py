"""The route label of a request: the URL pattern that matched, never the raw path.

``/api/v1/cadets/17/`` and ``/api/v1/cadets/18/`` are both ``/api/v1/cadets/<pk>/``, so the
number of label values is bounded by the URL configuration, not by what clients send. DRF's
routers write regular expressions; they are turned into the same ``<name>`` form.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

UNMATCHED = "<unmatched>"  # no URL pattern matched (404 from the resolver)
UNRESOLVED = "<unresolved>"  # answered before URL resolution (a middleware's own response)


def route_of(request: Any, status: int) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED if status == 404 else UNRESOLVED
    return normalise(match.route or "")


@lru_cache(maxsize=2048)
def normalise(route: str) -> str:
    """``api/v1/^cadets/(?P<pk>[^/.]+)/$`` -> ``/api/v1/cadets/<pk>/``; ``<int:pk>`` -> ``<pk>``."""
    out: list[str] = []
    i, n = 0, len(route)
    while i < n:
        ch = route[i]
        if route.startswith("(?P<", i):
            end = route.find(">", i + 4)
            name = route[i + 4 : end] if end != -1 else "param"
            out.append(f"<{name}>")
            i = _skip_group(route, i)
            continue
        if ch == "<":
            end = route.find(">", i)
            if end != -1:
                out.append(f"<{route[i + 1 : end].rsplit(':', 1)[-1]}>")
                i = end + 1
                continue
        if ch in "^$":
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            out.append(route[i + 1])
            i += 2
            continue
        if ch in "?" and out and out[-1] == "/":  # optional trailing slash: "/?"
            i += 1
            continue
        out.append(ch)
        i += 1
    text = "".join(out)
    return text if text.startswith("/") else "/" + text


def _skip_group(route: str, start: int) -> int:
    """Index just after the parenthesised group starting at ``start``."""
    depth, i, in_class = 0, start, False
    while i < len(route):
        ch = route[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(route)
