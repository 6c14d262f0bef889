"""The request middleware: request id in and out, one log line, metrics per route and status."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from rgms.observability import context
from rgms.observability.stats import RequestSample

pytestmark = pytest.mark.django_db


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_valid_incoming_request_id_is_kept_and_returned(json_log) -> None:
    # when a request arrives with an acceptable X-Request-ID
    response = Client().get("/api/v1/cadets/", HTTP_X_REQUEST_ID="edge-4f2a9c31")
    # then the same id is returned and written in the request line
    assert response["X-Request-ID"] == "edge-4f2a9c31"
    [line] = json_log.find(lambda line: line["logger"] == "rgms.request")
    assert line["request_id"] == "edge-4f2a9c31"
    assert line["route"] == "/api/v1/cadets/"
    assert line["status"] == 401
    assert line["method"] == "GET"
    assert line["duration_ms"] > 0


@pytest.mark.parametrize(
    "incoming",
    ["", "short", "x" * 129, "has space inside", "new\nline-injected", "<script>alert(1)</script>"],
)
def test_unacceptable_request_id_is_replaced(incoming: str) -> None:
    response = Client().get("/api/health", HTTP_X_REQUEST_ID=incoming)
    returned = response["X-Request-ID"]
    assert returned != incoming
    assert context.valid_request_id(returned) == returned
    assert len(returned) == 32


def test_each_request_gets_its_own_id() -> None:
    client = Client()
    ids = {client.get("/api/health")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_request_line_names_the_authenticated_user(json_log, admin_user, admin_client) -> None:
    # when an authenticated request is served
    response = admin_client.get("/api/v1/metrics/summary", HTTP_X_REQUEST_ID="user-line-0001")
    assert response.status_code == 200
    # then its request line carries the user id and the database work it did
    [line] = json_log.find(lambda line: line.get("request_id") == "user-line-0001")
    assert line["user_id"] == admin_user.pk
    assert line["db_queries"] >= 1
    assert line["db_ms"] >= 0


def test_log_lines_inside_the_view_carry_the_request_id_and_user(
    json_log, admin_user, admin_client, monkeypatch
) -> None:
    import logging

    from rgms.observability.api import views

    original = views.metrics_summary

    def logging_summary(**kwargs):
        logging.getLogger("rgms.tests.inside").info("computing the summary")
        return original(**kwargs)

    monkeypatch.setattr(views, "metrics_summary", logging_summary)
    admin_client.get("/api/v1/metrics/summary", HTTP_X_REQUEST_ID="inside-view-01")
    [line] = json_log.find(lambda line: line["logger"] == "rgms.tests.inside")
    assert line["request_id"] == "inside-view-01"
    assert line["user_id"] == admin_user.pk


def test_metrics_count_status_classes_and_latency_per_route() -> None:
    # given the counters before
    route = "/api/v1/cadets/"
    before_4xx = _value("rgms_http_responses_total", route=route, method="GET", status_class="4xx")
    before_count = _value("rgms_http_request_duration_seconds_count", route=route, method="GET")
    before_inf = _value(
        "rgms_http_request_duration_seconds_bucket", route=route, method="GET", le="+Inf"
    )
    before_2xx = _value(
        "rgms_http_responses_total", route="/api/health", method="GET", status_class="2xx"
    ) + _value("rgms_http_responses_total", route="/api/health", method="GET", status_class="5xx")
    client = Client()
    # when three unauthenticated reads of a list and two health checks are served
    for _ in range(3):
        assert client.get("/api/v1/cadets/").status_code == 401
    for _ in range(2):
        client.get("/api/health")
    # then the 4xx counter and the latency histogram of the route moved by three
    assert (
        _value("rgms_http_responses_total", route=route, method="GET", status_class="4xx")
        == before_4xx + 3
    )
    assert (
        _value("rgms_http_request_duration_seconds_count", route=route, method="GET")
        == before_count + 3
    )
    assert (
        _value("rgms_http_request_duration_seconds_bucket", route=route, method="GET", le="+Inf")
        == before_inf + 3
    )
    after_health = _value(
        "rgms_http_responses_total", route="/api/health", method="GET", status_class="2xx"
    ) + _value("rgms_http_responses_total", route="/api/health", method="GET", status_class="5xx")
    assert after_health == before_2xx + 2
    # and nothing is in flight any more
    assert _value("rgms_http_requests_in_flight") == 0


def test_unknown_paths_share_one_label() -> None:
    before = _value(
        "rgms_http_responses_total", route="<unmatched>", method="GET", status_class="4xx"
    )
    client = Client()
    for path in ("/nope/1", "/nope/2", "/random-scanner-path"):
        assert client.get(path).status_code == 404
    after = _value(
        "rgms_http_responses_total", route="<unmatched>", method="GET", status_class="4xx"
    )
    assert after == before + 3


def test_requests_become_samples_for_the_summary(process_store) -> None:
    Client().get("/api/v1/cadets/")
    from rgms.observability.samples import REQUESTS, decode_request

    [(raw, _)] = process_store.read(REQUESTS, since=0, until=1e12)
    sample = decode_request(raw)
    assert isinstance(sample, RequestSample)
    assert (sample.route, sample.method, sample.status) == ("/api/v1/cadets/", "GET", 401)


def test_metrics_scrapes_are_not_measured(process_store, settings) -> None:
    settings.METRICS_TOKEN = "t" * 32
    Client().get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 32)
    from rgms.observability.samples import REQUESTS

    assert process_store.read(REQUESTS, since=0, until=1e12) == []


async def test_under_asgi_the_id_is_returned_and_logged(json_log) -> None:
    # given the channels service's path: Django's ASGI handler (daphne serves the same app)
    from django.test import AsyncClient

    # when a request arrives with an id
    response = await AsyncClient().get("/no/such/page", headers={"X-Request-ID": "asgi-req-0001"})
    # then it comes back and is in the request line, as under gunicorn
    assert response.status_code == 404
    assert response["X-Request-ID"] == "asgi-req-0001"
    [line] = json_log.find(lambda line: line.get("request_id") == "asgi-req-0001")
    assert line["route"] == "<unmatched>"
