"""Every number and name the cutover gate and the post-cutover watch decide by, in one place.

The load budgets are *not* here: they live in ``loadtests/common/thresholds.py`` and the gate only
reads a load run's JSON verdict (``verification/load_phase.py``). Restating them here would let
the two drift apart.

Gate (MISSION part G, issue 9):

* the pass rate (passed / executed checks; skipped ones are not executed) must EXCEED 95 %:
  exactly 95 % is NO-GO;
* at least ``MIN_EXECUTED_CHECKS`` checks must have run. Below 20 a single failure moves the rate
  by more than the 5-point margin, so "above 95 %" would silently mean "no failure at all" and the
  rate would carry no information; 20 is the smallest count where one failure is measurable (19/20
  is exactly 95 %, still NO-GO; from 21 checks on, one non-critical failure can pass);
* no critical check may fail, be skipped or be missing. Which checks are critical depends on the
  target (``CRITICAL_CHECKS``); a check can also declare itself critical.

Watch (after the cutover): over a sliding window, an error rate above 5 % or a p95 above 1 s
recommends rollback. Both are strict "above": exactly 5 % or exactly 1000 ms is still ok (the
opposite edge from the load budgets, which say "under"; each follows its own requirement text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

# R18: a rollback to the legacy backend completes within 15 minutes. The number's one home is
# the toolkit that enforces it (the backend cannot import the harness); the gate, the rehearsal
# and the runbooks read it from here.
from cutover.rollback import ROLLBACK_BOUND_S as ROLLBACK_MAX_S  # noqa: F401 - re-exported
from rgms.observability.rules import ALERT_RULES

# --- check names ------------------------------------------------------------------------
# Checks report under these names; the gate recognizes critical ones by name, so a check module
# must use the constant, not a literal.

LIVENESS_WEB: Final = "liveness.web"
LIVENESS_CHANNELS: Final = "liveness.channels"
LIVENESS_WORKER: Final = "liveness.worker"
LIVENESS_BEAT: Final = "liveness.beat"
HEALTH_WEB: Final = "health.web"
WEBSOCKET_ROUND_TRIP: Final = "websocket.round_trip"
CELERY_ROUND_TRIP: Final = "celery.round_trip"
BEAT_SCHEDULE: Final = "beat.schedule"
BEAT_CANARY: Final = "beat.canary"
SAME_COMMIT: Final = "deploy.same_commit"
MIGRATION_VERIFY: Final = "migration.verify"
# Load checks are named "load.<class>" (and "load.run" for the run as a whole).
LOAD_CHECK_PREFIX: Final = "load."

# The four services, their health, and the paths that carry a request between them.
SERVICE_CRITICAL_CHECKS: Final = frozenset(
    {
        LIVENESS_WEB,
        LIVENESS_CHANNELS,
        LIVENESS_WORKER,
        LIVENESS_BEAT,
        HEALTH_WEB,
        WEBSOCKET_ROUND_TRIP,
        CELERY_ROUND_TRIP,
        BEAT_SCHEDULE,
        BEAT_CANARY,
    }
)

CRITICAL_CHECKS: Final[Mapping[str, frozenset[str]]] = {
    # deploy-verify against our own local processes
    "local": SERVICE_CRITICAL_CHECKS,
    # deploy-verify against Render: also every service on the same commit
    "render": SERVICE_CRITICAL_CHECKS | {SAME_COMMIT},
    # the full rehearsal: also the migration's verify step (a lost row must stop the cutover)
    "rehearsal": SERVICE_CRITICAL_CHECKS | {MIGRATION_VERIFY},
}

PASS_RATE_MUST_EXCEED: Final = Fraction(95, 100)
MIN_EXECUTED_CHECKS: Final = 20
# A load phase that ran is decisive: a breach must stop the cutover, whatever the pass rate.
LOAD_CHECKS_CRITICAL: Final = True


@dataclass(frozen=True)
class GateRules:
    """What the gate requires for GO."""

    pass_rate_must_exceed: Fraction = PASS_RATE_MUST_EXCEED
    min_executed_checks: int = MIN_EXECUTED_CHECKS
    required_critical: frozenset[str] = field(default=SERVICE_CRITICAL_CHECKS)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready rules, written into every report."""
        return {
            "pass_rate_must_exceed": float(self.pass_rate_must_exceed),
            "pass_rate_comparison": "strict: exactly the limit is NO-GO",
            "min_executed_checks": self.min_executed_checks,
            "required_critical_checks": sorted(self.required_critical),
        }


def gate_rules(target: str) -> GateRules:
    """The rules for a target kind: ``local``, ``render`` or ``rehearsal``."""
    try:
        return GateRules(required_critical=CRITICAL_CHECKS[target])
    except KeyError:
        raise ValueError(
            f"unknown target kind {target!r}; expected one of {sorted(CRITICAL_CHECKS)}"
        ) from None


GATE_RULES: Final = gate_rules("local")


# --- watch --------------------------------------------------------------------------------

# Window, error-rate limit and minimum sample count are the server alert's (one home, in the
# backend, which may not import the harness). 5 % of 100 is 5 errors: one or two stray
# errors cannot roll back a healthy cutover.
WATCH_WINDOW_S: Final = ALERT_RULES.window_s
WATCH_MAX_ERROR_RATE: Final = ALERT_RULES.max_error_rate
WATCH_MAX_P95_MS: Final = 1000.0
WATCH_MIN_SAMPLES: Final = ALERT_RULES.min_samples


@dataclass(frozen=True)
class WatchRules:
    """When the post-cutover watch recommends rollback (strictly above either limit)."""

    window_s: float = WATCH_WINDOW_S
    max_error_rate: Fraction = WATCH_MAX_ERROR_RATE
    max_p95_ms: float = WATCH_MAX_P95_MS
    min_samples: int = WATCH_MIN_SAMPLES
    percentile: int = 95

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready rules."""
        return {
            "window_s": self.window_s,
            "rollback_when_error_rate_above": float(self.max_error_rate),
            "rollback_when_p95_ms_above": self.max_p95_ms,
            "comparison": "strict: exactly a limit is still ok",
            "min_samples": self.min_samples,
            "percentile": self.percentile,
            "percentile_method": "nearest-rank",
        }


WATCH_RULES: Final = WatchRules()
