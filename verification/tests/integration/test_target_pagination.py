"""Pagination on lists: page numbers with a total count, cursors on the large tables."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from verification.tests.integration.conftest import Api

pytestmark = pytest.mark.target

Role = Callable[[str], Api]


def test_page_numbers_with_total_count(as_role: Role) -> None:
    """page_size=1 gives one row, the total count, and a link to the next page."""
    admin = as_role("admin")
    first = admin.get("/api/v1/cadets/", params={"page_size": 1})
    assert first.status_code == 200
    body = first.json()
    assert set(body) >= {"count", "next", "previous", "results"}
    assert len(body["results"]) == 1
    assert body["count"] >= 2
    assert body["next"]
    second = admin.get("/api/v1/cadets/", params={"page_size": 1, "page": 2}).json()
    assert second["results"][0]["id"] != body["results"][0]["id"]


def test_page_size_is_capped_at_100(as_role: Role) -> None:
    """A page size above the maximum is served as the maximum, never unbounded."""
    body = as_role("admin").get("/api/v1/cadets/", params={"page_size": 100000}).json()
    assert len(body["results"]) <= 100


def test_notifications_use_cursor_pages(as_role: Role) -> None:
    """Notifications page by cursor, newest first, without repeating a row."""
    admin, cadet = as_role("admin"), as_role("cadet")
    for n in range(3):
        created = admin.post(
            "/api/v1/notifications/",
            json={"user_id": cadet.user_id, "message": f"page test {n}", "type": "announcement"},
        )
        assert created.status_code == 201, created.text
    first = cadet.get("/api/v1/notifications/", params={"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert len(body["results"]) == 2
    assert body["next"]
    assert "cursor=" in body["next"]
    link = urlsplit(body["next"])  # absolute, as the server saw its own host
    second = cadet.get(f"{link.path}?{link.query}")
    assert second.status_code == 200
    seen = [r["id"] for r in body["results"]] + [r["id"] for r in second.json()["results"]]
    assert len(seen) == len(set(seen))
