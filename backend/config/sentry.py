"""Sentry initialisation, switched on by SENTRY_DSN in every service.

Django, Celery, Redis and logging integrations; release (the commit), environment and a
``service`` tag (web, channels, worker, beat) on every event; traces sampled at
SENTRY_TRACES_SAMPLE_RATE; no personal data (``send_default_pii=False``). Every event,
transaction and breadcrumb passes through :func:`scrub`, which removes the values of sensitive
keys (passwords, tokens, access/refresh, secrets, Authorization, cookies) and credentials in
free text, with the same rules as the logs (rgms.observability.redaction).
"""

from __future__ import annotations

import logging
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger
from sentry_sdk.integrations.redis import RedisIntegration

from rgms.observability.redaction import redact

# Written at ERROR level but reported to Sentry by other means (the exception itself, or an
# explicit message): keeps one event per problem.
_NOT_EVENTS = ("rgms.request", "rgms.alerts")


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """``before_send``/``before_send_transaction``: the event without secrets."""
    return redact(event)


def _scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    return redact(crumb)


def _with_service(service: str) -> Any:
    def before_send(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
        event = scrub(event, hint)
        event.setdefault("tags", {})
        if isinstance(event["tags"], dict):
            event["tags"].setdefault("service", service)
        return event

    return before_send


def init_sentry(
    *, dsn: str, environment: str, release: str, traces_sample_rate: float, service: str
) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        max_request_body_size="small",
        before_send=_with_service(service),
        before_send_transaction=_with_service(service),
        before_breadcrumb=_scrub_breadcrumb,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(monitor_beat_tasks=False),
            RedisIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
    # The global scope reaches every thread and process (isolation scopes are per request).
    sentry_sdk.get_global_scope().set_tag("service", service)
    for name in _NOT_EVENTS:
        ignore_logger(name)
