"""Table-driven authorization matrix helpers: one row per (method, target) with the expected
status for each role, in ROLES order. "cadet" owns the objects under test."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups

ROLES = ("anonymous", "cadet", "other_cadet", "staff", "admin")


def matrix_cases(rows: Iterable[tuple[str, str, tuple[int, ...]]]) -> list[Any]:
    cases = []
    for method, target, statuses in rows:
        assert len(statuses) == len(ROLES), (method, target)
        for role, expected in zip(ROLES, statuses, strict=True):
            cases.append(
                pytest.param(method, target, role, expected, id=f"{method}-{target}-{role}")
            )
    return cases


def call(client: APIClient, method: str, url: str, body: dict | None = None) -> Any:
    if method in {"post", "put", "patch"}:
        return getattr(client, method)(url, body or {}, format="json")
    return getattr(client, method)(url)


def count_queries(client: APIClient, url: str) -> tuple[int, Any]:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response
