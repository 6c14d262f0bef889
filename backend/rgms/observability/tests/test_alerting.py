"""The R16.5 alert: threshold boundary, short windows, emission, and agreement with the gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rgms.observability import alerting, samples
from rgms.observability.alerting import AlertStatus, error_rate_verdict
from rgms.observability.stats import RequestSample
from verification.watch import Sample, WatchStatus, evaluate_window

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("requests", "errors", "status"),
    [
        (100, 5, AlertStatus.OK),  # exactly 5 %: not above
        (100, 6, AlertStatus.ALERT),  # 6 %
        (1000, 50, AlertStatus.OK),  # exactly 5 %
        (1000, 51, AlertStatus.ALERT),  # 5.1 %
        (2000, 101, AlertStatus.ALERT),  # 5.05 %
        (100, 0, AlertStatus.OK),
        (50, 5, AlertStatus.INSUFFICIENT_DATA),  # 10 % of 50, but 5 of 100 padded is 5 %
        (50, 6, AlertStatus.ALERT),  # 6 errors are over 5 % of 100 whatever comes
        (0, 0, AlertStatus.INSUFFICIENT_DATA),
    ],
)
def test_threshold_boundary(requests: int, errors: int, status: AlertStatus) -> None:
    assert error_rate_verdict(requests=requests, errors=errors).status is status


def test_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="errors <= requests"):
        error_rate_verdict(requests=5, errors=6)


@pytest.mark.parametrize(("requests", "errors"), [(100, 5), (100, 6), (40, 5), (40, 6), (300, 16)])
def test_agrees_with_the_gates_watch(requests: int, errors: int) -> None:
    # given the same traffic seen by the server and by the gate (fast answers: no p95 breach)
    watch_samples = [Sample(NOW - 1, 10.0, ok=i >= errors) for i in range(requests)]
    watch = evaluate_window(watch_samples, now=NOW)
    ours = error_rate_verdict(requests=requests, errors=errors)
    # then both say the same
    expected = {
        WatchStatus.OK: AlertStatus.OK,
        WatchStatus.RECOMMEND_ROLLBACK: AlertStatus.ALERT,
        WatchStatus.INSUFFICIENT_DATA: AlertStatus.INSUFFICIENT_DATA,
    }[watch.status]
    assert ours.status is expected
    assert ours.error_rate == watch.error_rate


def _traffic(store: samples.ProcessStore, *, ok: int, failed: int, age: float = 10) -> None:
    for i in range(ok + failed):
        status = 500 if i < failed else 200
        sample = RequestSample(NOW - age, "/api/v1/cadets/", "GET", status, 5.0)
        store.add(samples.REQUESTS, samples.encode_request(sample), sample.at)


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook(settings) -> Iterator[type[_Receiver]]:
    _Receiver.bodies = []
    _Receiver.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        yield _Receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_cooldown() -> Iterator[None]:
    from django.core.cache import cache

    cache.delete("obs:alert:error-rate")
    yield
    cache.delete("obs:alert:error-rate")


def test_check_emits_log_sentry_and_webhook_once_per_window(
    process_store, webhook, no_cooldown, json_log, monkeypatch
) -> None:
    # given 200 requests in the last 5 minutes, 11 of them server errors (5.5 %)
    _traffic(process_store, ok=189, failed=11)
    sent: list[str] = []
    monkeypatch.setattr(alerting, "_sentry_message", lambda message, body: sent.append(message))
    # when the periodic check runs twice
    first = alerting.error_rate_check(now=NOW)
    second = alerting.error_rate_check(now=NOW + 60)
    # then both see the breach, but it is emitted once: an ERROR line, a Sentry message, a POST
    assert first.alert
    assert second.alert
    [line] = json_log.find(lambda line: line["logger"] == "rgms.alerts")
    assert line["level"] == "ERROR"
    assert "5.5 %" in line["message"]
    assert len(sent) == 1
    [body] = webhook.bodies
    assert body["alert"] == "error_rate"
    assert body["errors"] == 11
    assert body["requests"] == 200
    assert body["error_rate"] == pytest.approx(0.055)
    assert body["rules"]["alert_when_error_rate_above"] == 0.05
    assert "text" in body  # Slack-style receivers show this


def test_check_is_quiet_at_exactly_the_limit(process_store, webhook, no_cooldown, json_log) -> None:
    _traffic(process_store, ok=190, failed=10)  # exactly 5 %
    verdict = alerting.error_rate_check(now=NOW)
    assert verdict.status is AlertStatus.OK
    assert webhook.bodies == []
    assert not json_log.find(lambda line: line["logger"] == "rgms.alerts")


def test_check_ignores_requests_outside_the_window(process_store, no_cooldown) -> None:
    _traffic(process_store, ok=0, failed=50, age=400)  # older than 5 minutes
    _traffic(process_store, ok=100, failed=0)
    verdict = alerting.error_rate_check(now=NOW)
    assert verdict.status is AlertStatus.OK
    assert verdict.requests == 100


def test_webhook_failure_is_logged_not_raised(json_log) -> None:
    # nothing listens on this port: one attempt, then a warning
    assert alerting.post_webhook("http://127.0.0.1:9/x", {"a": 1}, timeout=1) is False
    assert json_log.find(lambda line: "Alert webhook failed" in line["message"])


def test_webhook_refuses_other_schemes() -> None:
    assert alerting.post_webhook("file:///etc/passwd", {"a": 1}) is False


def test_sentry_message_when_sentry_is_on(monkeypatch) -> None:
    import sentry_sdk

    captured: list[tuple[str, str]] = []

    class _Client:
        def is_active(self) -> bool:
            return True

    monkeypatch.setattr(sentry_sdk, "get_client", lambda: _Client())
    monkeypatch.setattr(
        sentry_sdk, "capture_message", lambda message, level: captured.append((message, level))
    )
    alerting._sentry_message("ALERT: x", {"alert": "error_rate"})
    assert captured == [("ALERT: x", "error")]


def test_verdict_fractions_are_exact() -> None:
    verdict = error_rate_verdict(requests=Fraction(300), errors=Fraction(16))
    assert verdict.error_rate == Fraction(16, 300)
    assert verdict.to_dict()["error_rate"] == pytest.approx(0.05333, abs=1e-5)
