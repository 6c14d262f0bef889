"""GET /metrics is not public: 404 without METRICS_TOKEN, 401 without the right bearer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

TOKEN = "m" * 40


def test_metrics_does_not_exist_without_a_token(settings) -> None:
    settings.METRICS_TOKEN = None
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer "],
)
def test_metrics_refuses_a_missing_or_wrong_token(settings, authorization: str | None) -> None:
    settings.METRICS_TOKEN = TOKEN
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = Client().get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"rgms_" not in response.content


def test_metrics_answers_the_right_token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    Client().get("/api/health")  # at least one measured request
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"rgms_http_request_duration_seconds_bucket" in response.content
    assert response["Cache-Control"].startswith("max-age=0")


def test_debug_views_are_off_by_default() -> None:
    with pytest.raises(Resolver404):
        resolve("/__debug__/observability/error")


def test_debug_views_cannot_be_switched_on_by_the_environment() -> None:
    from config import env

    assert "OBSERVABILITY_DEBUG_VIEWS" not in env.VARIABLES
