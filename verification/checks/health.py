"""Health endpoints: web's ``/api/health`` (critical), channels' (over HTTP), and a short burst
of authenticated reads whose latencies feed the report's histogram.

``health.web`` passes when ``GET /api/health`` answers 200 without credentials, with the body
of MISSION A (``status, timestamp, services{database, redis, celery}, version, environment``),
``status == "healthy"`` and every dependency ``up``. A target that runs without Redis
(declared in its limitations) may report redis and celery ``not_configured``; anything
``down`` fails. A health check that needs credentials fails: Render's health probe has none.
"""

from __future__ import annotations

from typing import Any, Final

from loadtests.common.thresholds import percentile_of_sorted
from verification.checks.common import CheckFailed, Timer, http, login, run_check
from verification.gate import CheckResult
from verification.targets.base import Target
from verification.thresholds import HEALTH_WEB, WATCH_RULES

HEALTH_CHANNELS: Final = "health.channels"
READ_LATENCY: Final = "api.read_latency"
HEALTH_KEYS: Final = frozenset({"status", "timestamp", "services", "version", "environment"})
DEPENDENCIES: Final = ("database", "redis", "celery")
HEALTH_SAMPLES: Final = 2
READ_SAMPLES: Final = 30


def _health(url: str, *, unconfigured_ok: frozenset[str]) -> tuple[dict[str, Any], int]:
    latencies = []
    body: Any = None
    status = None
    for _ in range(HEALTH_SAMPLES):
        timer = Timer()
        response = http("GET", f"{url}/api/health")
        latencies.append(timer.ms)
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = response.text[:500]
        if status != 200:
            raise CheckFailed(
                f"GET /api/health answered {status} (expected 200, without credentials)",
                status=status,
                body=body,
                latencies_ms=latencies,
            )
    if not isinstance(body, dict) or not set(body) >= HEALTH_KEYS:
        missing = sorted(HEALTH_KEYS - set(body)) if isinstance(body, dict) else "all"
        raise CheckFailed(f"health body lacks {missing}", body=body)
    services = body.get("services") or {}
    states = {name: (services.get(name) or {}).get("status") for name in DEPENDENCIES}
    bad = {
        name: state
        for name, state in states.items()
        if state != "up" and not (state == "not_configured" and name in unconfigured_ok)
    }
    if body.get("status") != "healthy" or bad:
        raise CheckFailed(
            f"health reports {body.get('status')!r}; dependencies not up: {bad}",
            body=body,
            latencies_ms=latencies,
        )
    return {
        "status": status,
        "dependencies": states,
        "version": body.get("version"),
        "environment": body.get("environment"),
        "latencies_ms": latencies,
    }, len(latencies)


def health_checks(target: Target) -> list[CheckResult]:
    threshold = "200, healthy, database/redis/celery up, no credentials"
    results = [
        run_check(
            HEALTH_WEB,
            lambda: _health(target.web_url, unconfigured_ok=target.unconfigured_ok),
            threshold=threshold,
        )
    ]
    if target.channels_url and target.channels_url != target.web_url:
        results.append(
            run_check(
                HEALTH_CHANNELS,
                lambda: _health(target.channels_url or "", unconfigured_ok=target.unconfigured_ok),
                threshold=threshold + " (channels service over HTTP)",
            )
        )
    results.append(read_latency_check(target))
    return results


def read_latency_check(target: Target) -> CheckResult:
    """A short burst of authenticated reads (a smoke figure, not a load test): every answer
    200 and the p95 under the post-cutover watch limit (the same number, one home)."""
    limit = WATCH_RULES.max_p95_ms

    def body() -> tuple[dict[str, Any], int]:
        session = login(target, "cadet")
        latencies = []
        for _ in range(READ_SAMPLES):
            timer = Timer()
            response = http("GET", f"{target.web_url}/api/v1/auth/me", headers=session.headers)
            latencies.append(timer.ms)
            if response.status_code != 200:
                raise CheckFailed(
                    f"GET /api/v1/auth/me answered {response.status_code}",
                    body=response.text[:300],
                )
        ordered = sorted(latencies)
        p95 = percentile_of_sorted(ordered, WATCH_RULES.percentile)
        evidence = {"p95_ms": p95, "max_ms": ordered[-1], "latencies_ms": latencies}
        if p95 > limit:
            raise CheckFailed(f"p95 {p95} ms is above {limit:g} ms", **evidence)
        return evidence, len(latencies)

    return run_check(READ_LATENCY, body, threshold=f"{READ_SAMPLES} reads, p95 <= {limit:g} ms")
