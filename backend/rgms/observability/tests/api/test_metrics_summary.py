"""GET /api/v1/metrics/summary: admins only, and the figures of known traffic."""

from __future__ import annotations

import time

import pytest

from rgms.observability import samples
from rgms.observability.stats import RequestSample, TaskSample

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/summary"


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("anonymous", 401), ("cadet", 403), ("staff", 403), ("admin", 200)],
)
def test_only_admins_read_the_summary(role_clients, process_store, client_name, status) -> None:
    assert role_clients[client_name].get(URL).status_code == status


def _seed(store: samples.ProcessStore, now: float) -> None:
    route = "/api/v1/cadets/<pk>/"
    # 20 reads of 1..20 ms in the last two minutes, two of them 500s
    for ms in range(1, 21):
        status = 500 if ms in (5, 17) else 200
        sample = RequestSample(now - 60, route, "GET", status, float(ms))
        store.add(samples.REQUESTS, samples.encode_request(sample), sample.at)
    # 4 writes 10 minutes ago (inside 15 min, outside 5)
    for ms in (100.0, 200.0, 300.0, 400.0):
        sample = RequestSample(now - 600, "/api/v1/cadets/", "POST", 201, ms)
        store.add(samples.REQUESTS, samples.encode_request(sample), sample.at)
    for state in ("SUCCESS", "SUCCESS", "FAILURE"):
        task = TaskSample(now - 30, "rgms.reports.tasks.report_generate", state, 1000.0)
        store.add(samples.TASKS, samples.encode_task(task), task.at)


def test_summary_of_known_traffic(admin_client, process_store, monkeypatch) -> None:
    # given known samples, and a clock
    now = time.time()
    _seed(process_store, now)
    monkeypatch.setattr(samples.time, "time", lambda: now)
    # when an admin asks for the last 15 minutes
    response = admin_client.get(URL, {"window": 15})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["window_minutes"] == 15
    assert body["source"] == "process"
    reads = next(r for r in body["routes"] if r["method"] == "GET")
    assert reads["route"] == "/api/v1/cadets/<pk>/"
    assert reads["count"] == 20
    assert reads["errors"] == 2
    assert reads["error_rate"] == 0.1
    assert reads["mean_ms"] == 10.5
    assert reads["median_ms"] == 10.0
    assert reads["p95_ms"] == 19.0
    assert reads["p99_ms"] == 20.0
    assert reads["estimated"] is False
    writes = next(r for r in body["routes"] if r["method"] == "POST")
    assert (writes["count"], writes["median_ms"], writes["p95_ms"]) == (4, 200.0, 400.0)
    # the admin's own request is recorded after it is answered: overall is the 24 seeded ones
    assert body["requests"]["count"] == 24
    assert body["requests"]["errors"] == 2
    assert body["requests"]["error_rate"] == pytest.approx(2 / 24)
    [task] = body["tasks"]
    assert task["states"] == {"FAILURE": 1, "SUCCESS": 2}
    assert task["error_rate"] == pytest.approx(1 / 3)
    # cache figures come from the read cache's own counters
    assert set(body["cache"]) == {"hits", "misses", "hit_rate"}
    # the alert looks at its own 5 minute window: 20 requests are too few to say
    assert body["alert"]["status"] == "insufficient-data"
    assert body["alert"]["rules"]["alert_when_error_rate_above"] == 0.05


def test_shorter_window_leaves_older_samples_out(admin_client, process_store, monkeypatch) -> None:
    now = time.time()
    _seed(process_store, now)
    monkeypatch.setattr(samples.time, "time", lambda: now)
    body = admin_client.get(URL, {"window": 5}).json()
    assert body["requests"]["count"] == 20
    assert {r["method"] for r in body["routes"]} == {"GET"}


def test_cache_hit_rate_is_reported(admin_client, process_store) -> None:
    from rgms.core.cache import get_or_build

    for _ in range(4):
        get_or_build(["summary-test"], ["k"], lambda: 1)
    cache = admin_client.get(URL).json()["cache"]
    assert cache == {"hits": 3, "misses": 1, "hit_rate": 0.75}


@pytest.mark.parametrize("window", ["7", "0", "abc", "1440"])
def test_unknown_window_is_a_400(admin_client, process_store, window: str) -> None:
    response = admin_client.get(URL, {"window": window})
    assert response.status_code == 400
    assert "window" in response.json()["errors"]


def test_empty_window(admin_client, process_store) -> None:
    body = admin_client.get(URL, {"window": 5}).json()
    assert body["requests"]["count"] == 0
    assert body["requests"]["p95_ms"] is None
    assert body["routes"] == []
