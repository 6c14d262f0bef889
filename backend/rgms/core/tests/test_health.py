"""GET /api/health against real dependencies: up, Redis unreachable, no Celery worker."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from verification.infra.ports import free_port

pytestmark = pytest.mark.django_db


def _get_health(client: Client) -> tuple[int, dict, float]:
    started = time.perf_counter()
    response = client.get("/api/health")
    return response.status_code, response.json(), time.perf_counter() - started


def test_healthy_without_optional_services(client: Client, settings) -> None:
    # given no Redis and no broker (the local default)
    settings.REDIS_URL = None
    settings.CELERY_BROKER_URL = "memory://"
    # when
    status, body, _ = _get_health(client)
    # then
    assert status == 200
    assert body["status"] == "healthy"
    assert set(body) == {"status", "timestamp", "services", "version", "environment"}
    assert body["services"]["database"]["status"] == "up"
    assert body["services"]["redis"]["status"] == "not_configured"
    assert body["environment"] == "test"


def test_public_and_not_cached(client: Client) -> None:
    response = client.get("/api/health")
    assert response.status_code in {200, 503}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.needs_redis
def test_redis_up(client: Client, settings, redis_url: str) -> None:
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL = "memory://"
    status, body, _ = _get_health(client)
    assert status == 200
    assert body["services"]["redis"]["status"] == "up"


def test_unreachable_redis_is_503_quickly(client: Client, settings) -> None:
    # given Redis pointed at a closed port
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = closed
    settings.CELERY_BROKER_URL = closed
    # when
    status, body, elapsed = _get_health(client)
    # then
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["services"]["redis"]["status"] == "down"
    assert "Connection" in body["services"]["redis"]["detail"]
    assert body["services"]["celery"]["status"] == "down"
    assert elapsed < 3.0


@pytest.mark.needs_redis
def test_no_celery_worker_is_503(client: Client, settings, redis_url: str) -> None:
    # given a reachable broker on which no worker listens
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    settings.HEALTH_CHECK_TIMEOUT = 0.5
    # when
    status, body, elapsed = _get_health(client)
    # then
    assert status == 503
    assert body["services"]["redis"]["status"] == "up"
    assert body["services"]["celery"]["status"] == "down"
    assert "no worker answered" in body["services"]["celery"]["detail"]
    assert elapsed < 3.0


def test_database_down_is_503(client: Client, settings, monkeypatch) -> None:
    from rgms.core import health

    def broken(timeout: float) -> tuple[str, str]:
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    status, body, _ = _get_health(client)
    assert status == 503
    assert body["services"]["database"] == {
        "status": "down",
        "latency_ms": body["services"]["database"]["latency_ms"],
        "detail": "OSError: connection refused",
    }
