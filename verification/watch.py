"""Post-cutover watch: error rate and p95 over a sliding window -> ok / recommend-rollback.

Pure: the caller collects samples (its own probes, or the server's request log) and passes the
clock in. The computation follows the load verdict's style: nearest-rank p95 over raw samples
(the same ``percentile`` function), exact fractions for rates, strict limits from
``verification.thresholds.WatchRules``, and best-case padding for short windows:

* at least ``min_samples`` in the window: error rate > 5 % or p95 > 1000 ms -> RECOMMEND_ROLLBACK,
  else OK;
* fewer samples: RECOMMEND_ROLLBACK only if it is certain, i.e. still over a limit when the window
  is padded up to ``min_samples`` with instant successes; otherwise INSUFFICIENT_DATA, which is
  not OK (missing data is never a pass) and not a rollback either.

A request that got no response at all (refused, timed out) has ``latency_ms=None``: it is an error,
and for the percentile it ranks as slower than any answered request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Final

from loadtests.common.thresholds import percentile_of_sorted
from verification.thresholds import WATCH_RULES, WatchRules


@dataclass(frozen=True)
class Sample:
    """One observed request: when (epoch seconds), how long, and whether it succeeded."""

    at: float
    latency_ms: float | None
    ok: bool


class WatchStatus(StrEnum):
    """What the watch recommends for the window."""

    OK = "ok"
    RECOMMEND_ROLLBACK = "recommend-rollback"
    INSUFFICIENT_DATA = "insufficient-data"


class WatchExitCode(IntEnum):
    """Process exit status of one watch evaluation (numbering shared with gate and load)."""

    OK = 0
    RECOMMEND_ROLLBACK = 1
    INSUFFICIENT_DATA = 3


_EXIT: Final = {
    WatchStatus.OK: WatchExitCode.OK,
    WatchStatus.RECOMMEND_ROLLBACK: WatchExitCode.RECOMMEND_ROLLBACK,
    WatchStatus.INSUFFICIENT_DATA: WatchExitCode.INSUFFICIENT_DATA,
}


@dataclass(frozen=True)
class WatchVerdict:
    """The recommendation for one window, with its figures and reasons."""

    status: WatchStatus
    reasons: tuple[str, ...]
    window_start: float
    window_end: float
    n: int
    errors: int
    error_rate: Fraction | None
    p95_ms: float | None  # math.inf when the p95 request got no response
    rules: WatchRules

    @property
    def exit_code(self) -> WatchExitCode:
        """Process exit status."""
        return _EXIT[self.status]

    @property
    def rollback(self) -> bool:
        """Whether rollback is recommended."""
        return self.status is WatchStatus.RECOMMEND_ROLLBACK

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready verdict (an unanswered p95 is null with ``p95_no_response`` true)."""
        no_response = self.p95_ms is not None and math.isinf(self.p95_ms)
        return {
            "status": self.status.value,
            "exit_code": int(self.exit_code),
            "reasons": list(self.reasons),
            "window": {"start": self.window_start, "end": self.window_end},
            "n": self.n,
            "errors": self.errors,
            "error_rate": None if self.error_rate is None else float(self.error_rate),
            "p95_ms": None if self.p95_ms is None or no_response else round(self.p95_ms, 3),
            "p95_no_response": no_response,
            "rules": self.rules.to_dict(),
        }


def _ordered_latencies(samples: list[Sample]) -> list[float]:
    answered = sorted(s.latency_ms for s in samples if s.latency_ms is not None)
    if any(not math.isfinite(x) or x < 0 for x in answered):
        raise ValueError("latencies must be finite, non-negative milliseconds")
    # No response ranks after every response.
    return answered + [math.inf] * sum(1 for s in samples if s.latency_ms is None)


def _ms(value: float) -> str:
    return "no response" if math.isinf(value) else f"{value:.1f} ms"


def _pct(rate: Fraction) -> str:
    return f"{float(rate) * 100:.2f}".rstrip("0").rstrip(".") + " %"


def _breaches(errors: int, total: int, p95: float | None, rules: WatchRules) -> list[str]:
    found = []
    rate = Fraction(errors, total)
    if rate > rules.max_error_rate:
        found.append(
            f"error rate {errors}/{total} = {_pct(rate)} is above {_pct(rules.max_error_rate)}"
        )
    if p95 is not None and p95 > rules.max_p95_ms:
        found.append(f"p95 {_ms(p95)} is above {rules.max_p95_ms:g} ms")
    return found


def evaluate_window(
    samples: Iterable[Sample], *, now: float, rules: WatchRules = WATCH_RULES
) -> WatchVerdict:
    """Judge the samples with ``now - window_s < at <= now``."""
    start = now - rules.window_s
    window = [s for s in samples if start < s.at <= now]
    n = len(window)
    errors = sum(1 for s in window if not s.ok or s.latency_ms is None)
    ordered = _ordered_latencies(window)
    p95 = percentile_of_sorted(ordered, rules.percentile) if ordered else None
    error_rate = Fraction(errors, n) if n else None

    def verdict(status: WatchStatus, reasons: list[str]) -> WatchVerdict:
        return WatchVerdict(status, tuple(reasons), start, now, n, errors, error_rate, p95, rules)

    observed = (
        f"{n} samples in the last {rules.window_s:g} s"
        + ("" if p95 is None or error_rate is None else f": errors {_pct(error_rate)}")
        + ("" if p95 is None else f", p95 {_ms(p95)}")
    )
    if n >= rules.min_samples:
        if breaches := _breaches(errors, n, p95, rules):
            return verdict(WatchStatus.RECOMMEND_ROLLBACK, [*breaches, observed])
        return verdict(WatchStatus.OK, [f"within limits: {observed}"])

    # Short window: pad with instant successes; a breach that survives that is certain.
    missing = rules.min_samples - n
    best_p95 = percentile_of_sorted([0.0] * missing + ordered, rules.percentile)
    if breaches := _breaches(errors, rules.min_samples, best_p95, rules):
        certain = [
            f"{b} even if the {missing} samples short of {rules.min_samples} were instant successes"
            for b in breaches
        ]
        return verdict(WatchStatus.RECOMMEND_ROLLBACK, [*certain, observed])
    return verdict(
        WatchStatus.INSUFFICIENT_DATA,
        [f"only {n} samples in the window, at least {rules.min_samples} needed", observed],
    )
