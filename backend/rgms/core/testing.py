"""Helpers for tests of code that uses the read cache."""

from __future__ import annotations

from typing import Any


class CallCounter:
    """Stands in for Django's cache (``rgms.core.cache.cache``) and counts the calls that
    reach it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted
