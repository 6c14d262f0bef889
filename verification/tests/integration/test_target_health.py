"""Health: public, fast, and the documented body."""

from __future__ import annotations

import pytest

from verification.tests.integration.conftest import Api

pytestmark = pytest.mark.target


@pytest.mark.critical
def test_health_is_public_and_healthy(anonymous: Api) -> None:
    """GET /api/health answers 200 healthy without credentials (Render's probe has none)."""
    # when the health check is read with no credentials
    response = anonymous.get("/api/health")
    # then it is healthy, and says so for each dependency
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "healthy"
    assert {"database", "redis", "celery"} <= set(body["services"])
    assert body["services"]["database"]["status"] == "up"


def test_health_body_has_the_documented_fields(anonymous: Api) -> None:
    """The health body carries status, timestamp, services, version and environment."""
    body = anonymous.get("/api/health").json()
    assert set(body) >= {"status", "timestamp", "services", "version", "environment"}
    for probe in body["services"].values():
        assert set(probe) >= {"status", "latency_ms"}


def test_health_is_never_cached(anonymous: Api) -> None:
    """A cached health answer would hide an outage."""
    response = anonymous.get("/api/health")
    assert "no-cache" in response.headers.get("Cache-Control", "") or "max-age=0" in (
        response.headers.get("Cache-Control", "")
    )
