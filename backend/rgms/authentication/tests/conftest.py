"""Fixtures of the authentication tests: the production password hashers, and login helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from config.settings import base as base_settings

LOGIN_URL = "/api/v1/auth/login"


def forget_login_failures() -> None:
    """Empty the login limit's counters (only this process's keys on a shared Redis)."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("rgms:auth:*")
    else:
        cache.clear()


@pytest.fixture
def production_hashers(settings: Any) -> list[str]:
    """The PASSWORD_HASHERS production runs (the test settings put a fast MD5 hasher first)."""
    settings.PASSWORD_HASHERS = list(base_settings.PASSWORD_HASHERS)
    return settings.PASSWORD_HASHERS


@pytest.fixture
def login(api_client: APIClient) -> Callable[..., Response]:
    """POST /auth/login as a given client IP (Render appends it to X-Forwarded-For)."""

    def post(username: str, password: str, *, ip: str = "198.51.100.7", **extra: str) -> Response:
        return api_client.post(
            LOGIN_URL,
            {"username": username, "password": password},
            format="json",
            HTTP_X_FORWARDED_FOR=extra.pop("forwarded_for", ip),
            REMOTE_ADDR="10.0.0.1",  # Render's proxy, as the socket sees it
            **extra,
        )

    return post


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from rgms.authentication.tests import property_budget

    if property_budget.cases():
        terminalreporter.write_line(
            f"token property cases: {property_budget.cases()} generated tokens sent to /auth/me"
        )
