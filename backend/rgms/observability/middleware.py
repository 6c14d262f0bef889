"""One middleware, first in MIDDLEWARE: request id, metrics, rolling sample, one log line.

For every request it

* takes the id from an incoming ``X-Request-ID`` when it is acceptable (up to 128 letters,
  digits, ``. _ : -``), else makes one; stores it in the context (log lines, Celery tasks the
  request starts, Sentry's ``request_id`` tag) and returns it in the ``X-Request-ID`` header;
* counts the database queries and their time (``connection.execute_wrapper``);
* records latency per route pattern and method, the status class and in-flight requests
  (Prometheus), and a raw sample for the summary and the alert (samples.py);
* writes one ``rgms.request`` line: method, route, path (never the query string), status,
  duration_ms, db_queries, db_ms, request_id, user_id.

Scrapes of ``/metrics`` are logged but not measured, so they do not count as traffic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponseBase

from rgms.observability import context, metrics, samples
from rgms.observability.routes import route_of
from rgms.observability.stats import RequestSample

logger = logging.getLogger("rgms.request")

NOT_MEASURED = frozenset({"/metrics"})


class QueryCounter:
    """``connection.execute_wrapper`` that counts queries and adds up their time."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, ctx: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def _sentry_tag(request_id: str) -> None:
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is a runtime requirement
        return
    if sentry_sdk.get_client().is_active():
        sentry_sdk.set_tag("request_id", request_id)


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = (
            context.valid_request_id(request.META.get("HTTP_X_REQUEST_ID"))
            or context.new_request_id()
        )
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = context.set_request_id(request_id)
        request_token = context.set_request(request)
        _sentry_tag(request_id)
        measured = request.path not in NOT_MEASURED
        if measured:
            metrics.request_started()
        queries = QueryCounter()
        status = 500
        wall = time.time()
        start = time.perf_counter()
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            status = response.status_code
            response[context.REQUEST_ID_HEADER] = request_id
            return response
        finally:
            duration = time.perf_counter() - start
            try:
                self._finish(request, request_id, status, duration, wall, queries, measured)
            finally:
                context.reset_request(request_token)
                context.reset_request_id(id_token)

    @staticmethod
    def _finish(
        request: HttpRequest,
        request_id: str,
        status: int,
        duration: float,
        wall: float,
        queries: QueryCounter,
        measured: bool,
    ) -> None:
        route = route_of(request, status)
        method = metrics.method_label(request.method)
        duration_ms = round(duration * 1000, 3)
        if measured:
            metrics.request_finished(
                route=route,
                method=method,
                status=status,
                duration_s=duration,
                db_queries=queries.count,
                db_seconds=queries.seconds,
            )
            samples.record_request(RequestSample(wall, route, method, status, duration_ms))
        level = (
            logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        )
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "%s %s %s %.1fms",
                method,
                route,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "route": route,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "db_queries": queries.count,
                    "db_ms": round(queries.seconds * 1000, 3),
                    "request_id": request_id,
                    "user_id": context.user_id_of_request(request),
                },
            )
