"""The error-rate alert (R16.5): pure verdict, and the periodic check that emits it.

The verdict follows the post-cutover watch of the gate (verification/watch.py) exactly, so that
the server's alert and the gate's rollback recommendation agree on the same traffic:

* at least ``min_samples`` requests in the window: ALERT when errors / requests is strictly
  above ``max_error_rate`` (exactly 5 % is OK);
* fewer: ALERT only when it is certain, i.e. still above the limit if the window were padded up
  to ``min_samples`` with successes; otherwise INSUFFICIENT_DATA (no alert).

An error is a response with status 500 or more. The numbers live once, in
rgms/observability/rules.py; the gate's watch rules (verification/thresholds.py) import them,
since the backend may not import the harness.

When the check finds ALERT it emits, at most once per window: an ERROR line from the
``rgms.alerts`` logger, a Sentry message (when SENTRY_DSN is set), and a POST to
ALERT_WEBHOOK_URL (when set; one attempt, 5 s timeout, no retries, so a dead receiver cannot
cause a storm).
"""

from __future__ import annotations

import json
import logging
import math
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from rgms.observability import samples
from rgms.observability.rules import ALERT_RULES, AlertRules

logger = logging.getLogger("rgms.alerts")

WEBHOOK_TIMEOUT_S: Final = 5.0
_COOLDOWN_KEY: Final = "obs:alert:error-rate"


class AlertStatus(StrEnum):
    OK = "ok"
    ALERT = "alert"
    INSUFFICIENT_DATA = "insufficient-data"


@dataclass(frozen=True)
class ErrorRateVerdict:
    status: AlertStatus
    requests: Fraction
    errors: Fraction
    error_rate: Fraction | None
    rules: AlertRules
    reason: str

    @property
    def alert(self) -> bool:
        return self.status is AlertStatus.ALERT

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "requests": round(self.requests),
            "errors": round(self.errors),
            "error_rate": None if self.error_rate is None else float(self.error_rate),
            "reason": self.reason,
            "rules": self.rules.to_dict(),
        }


def _pct(rate: Fraction) -> str:
    return f"{float(rate) * 100:.2f}".rstrip("0").rstrip(".") + " %"


def error_rate_verdict(
    *, requests: int | Fraction, errors: int | Fraction, rules: AlertRules = ALERT_RULES
) -> ErrorRateVerdict:
    """Pure: the verdict for ``errors`` failed requests out of ``requests`` in one window."""
    requests, errors = Fraction(requests), Fraction(errors)
    if requests < 0 or errors < 0 or errors > requests:
        raise ValueError("need 0 <= errors <= requests")
    rate = errors / requests if requests else None
    limit = _pct(rules.max_error_rate)

    def verdict(status: AlertStatus, reason: str) -> ErrorRateVerdict:
        return ErrorRateVerdict(status, requests, errors, rate, rules, reason)

    if requests >= rules.min_samples:
        assert rate is not None
        if rate > rules.max_error_rate:
            return verdict(AlertStatus.ALERT, f"error rate {_pct(rate)} is above {limit}")
        return verdict(AlertStatus.OK, f"error rate {_pct(rate)} is within {limit}")
    if errors / rules.min_samples > rules.max_error_rate:
        return verdict(
            AlertStatus.ALERT,
            f"{round(errors)} errors in {round(requests)} requests: above {limit} even if "
            f"{rules.min_samples - round(requests)} more requests had succeeded",
        )
    return verdict(
        AlertStatus.INSUFFICIENT_DATA,
        f"only {round(requests)} requests in the window, at least {rules.min_samples} needed",
    )


def error_rate_in_window(
    *, now: float | None = None, rules: AlertRules = ALERT_RULES
) -> tuple[ErrorRateVerdict, str]:
    """The verdict over the rolling sample store's last ``rules.window_s`` seconds."""
    now = time.time() if now is None else now
    window = samples.window(
        max(1, math.ceil(rules.window_s / 60)), now=now, kinds=(samples.REQUESTS,)
    )
    since = now - rules.window_s
    in_window = [(s, w) for s, w in window.requests if s.at > since]
    requests = sum((w for _, w in in_window), Fraction(0))
    errors = sum((w for s, w in in_window if s.is_error), Fraction(0))
    return error_rate_verdict(requests=requests, errors=errors, rules=rules), window.source


def error_rate_check(
    *, now: float | None = None, rules: AlertRules = ALERT_RULES
) -> ErrorRateVerdict:
    """The periodic check: compute the verdict and, on ALERT, emit it (once per window)."""
    verdict, source = error_rate_in_window(now=now, rules=rules)
    if verdict.alert and _first_alert_of_window(rules):
        emit_alert(verdict, source=source)
    return verdict


def _first_alert_of_window(rules: AlertRules) -> bool:
    from django.core.cache import cache

    try:
        return bool(cache.add(_COOLDOWN_KEY, 1, timeout=int(rules.window_s)))
    except Exception:  # no cache: alert rather than stay silent
        return True


def emit_alert(verdict: ErrorRateVerdict, *, source: str) -> None:
    """Error log + Sentry message + webhook (each independent of the others' failure)."""
    from django.conf import settings

    body = {
        "alert": "error_rate",
        "service": settings.SERVICE_NAME,
        "environment": settings.ENVIRONMENT,
        "release": settings.APP_VERSION,
        "source": source,
        **verdict.to_dict(),
    }
    message = (
        f"ALERT: {verdict.reason} over the last {verdict.rules.window_s:g} s "
        f"({round(verdict.errors)} of {round(verdict.requests)} requests failed)"
    )
    logger.error(message, extra={"alert": body})
    _sentry_message(message, body)
    url = getattr(settings, "ALERT_WEBHOOK_URL", None)
    if url:
        post_webhook(url, {"text": message, **body})


def _sentry_message(message: str, body: dict[str, Any]) -> None:
    import sentry_sdk

    if not sentry_sdk.get_client().is_active():
        return
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("alert", "error_rate")
        scope.set_context("alert", body)
        sentry_sdk.capture_message(message, level="error")


def post_webhook(url: str, body: dict[str, Any], *, timeout: float = WEBHOOK_TIMEOUT_S) -> bool:
    """One POST of the JSON body; True when the receiver answered 2xx. Never raises."""
    data = json.dumps(body, default=str).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's, http(s) only
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    if not url.startswith(("http://", "https://")):
        logger.warning("ALERT_WEBHOOK_URL is not http(s); alert not posted")
        return False
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            ok = 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.warning("Alert webhook failed: %s", exc.__class__.__name__)
        return False
    if not ok:
        logger.warning("Alert webhook answered %s", response.status)
    return ok
