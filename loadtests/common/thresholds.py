"""The one home of the load budgets, and the pure logic that judges a load run against them.

Nothing here imports locust (importing locust monkey-patches the process with gevent), so the
verdict logic is unit-testable and the gate can read this module's JSON without the load stack.

Budgets (MISSION part G, issue 8), all strict ("under", "below"):

* read requests:  p95 < 500 ms
* write requests: p95 < 2000 ms
* error ratio < 1 % (failed requests / all requests of the class)
* at least 200 samples per judged class, otherwise the class is INCONCLUSIVE: too little data
  is never a pass. The one exception is a breach that is already certain: if, padded up to 200
  with the best possible missing samples (instant successes), the class would still breach, it is
  a BREACH (say 15 failures in 176 writes: at least 7.5 % whatever the rest would have been).

Percentile definition: **nearest rank** over the raw response times (not locust's rounded
histogram buckets). For n samples sorted ascending, the p-th percentile is the sample at 1-based
rank ``ceil(p / 100 * n)``, i.e. the smallest observed value such that at least p % of the samples
are less than or equal to it. It is always a value that was actually observed (no interpolation),
and it gives the budget a plain reading: ``p95 < 500 ms`` holds exactly when at least
``ceil(0.95 n)`` requests finished in under 500 ms.

Boundary semantics: a value *equal* to a limit is a breach (p95 of exactly 2000 ms fails the write
budget; an error ratio of exactly 1 % fails). A class with exactly 200 samples is judged; 199 is
INCONCLUSIVE unless certain to breach. Ratios are compared as exact fractions, so no float
rounding can flip a verdict.

Latency is taken over every request of a class, failed ones included (as locust does): a failure
is either fast (and then the error budget catches it) or a timeout (and then it must count as slow).

Process exit codes (``ExitCode``): 0 pass, 1 breach, 2 tool error (the load tool or the scenario
itself broke, so the numbers cannot be trusted), 3 inconclusive (too little data to judge).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Final, TypeGuard

SCHEMA: Final = "rgms.load-result/1"
PERCENTILE_METHOD: Final = "nearest-rank"
REPORTED_PERCENTILES: Final = (50, 95, 99)


class RequestClass(StrEnum):
    """Which budget a request is judged against."""

    READ = "read"
    WRITE = "write"


class LoadVerdict(StrEnum):
    """Verdict of one class, and of the whole run (TOOL_ERROR only for the whole run)."""

    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    BREACH = "BREACH"
    INCONCLUSIVE = "INCONCLUSIVE"
    TOOL_ERROR = "TOOL_ERROR"


class ExitCode(IntEnum):
    """Process exit status of a load run; CI and the gate branch on these."""

    PASS = 0
    BREACH = 1
    TOOL_ERROR = 2
    INCONCLUSIVE = 3


_EXIT_CODES: Final = {
    LoadVerdict.PASS: ExitCode.PASS,
    LoadVerdict.BREACH: ExitCode.BREACH,
    LoadVerdict.TOOL_ERROR: ExitCode.TOOL_ERROR,
    LoadVerdict.INCONCLUSIVE: ExitCode.INCONCLUSIVE,
}


def exit_code_for(verdict: LoadVerdict) -> ExitCode:
    """The process exit code for a run verdict."""
    return _EXIT_CODES[verdict]


@dataclass(frozen=True)
class LoadBudget:
    """The load budgets. Every limit is exclusive: reaching it is a breach."""

    read_p95_ms: float = 500.0
    write_p95_ms: float = 2000.0
    # A Fraction, so "failures / count < 1 %" is decided exactly.
    max_error_ratio: Fraction = Fraction(1, 100)
    min_samples: int = 200
    percentile: int = 95

    def p95_limit_ms(self, load_class: RequestClass) -> float:
        """The latency limit of a class."""
        return self.read_p95_ms if load_class is RequestClass.READ else self.write_p95_ms

    def to_dict(self) -> dict[str, Any]:
        """The budgets as written into the result document (shown by the gate, never re-applied)."""
        return {
            "percentile": self.percentile,
            "percentile_method": PERCENTILE_METHOD,
            "comparison": "strict: a value equal to a limit is a breach",
            "classes": {
                RequestClass.READ.value: {"p95_ms_below": self.read_p95_ms},
                RequestClass.WRITE.value: {"p95_ms_below": self.write_p95_ms},
            },
            "error_ratio_below": float(self.max_error_ratio),
            "min_samples_per_class": self.min_samples,
        }


LOAD_BUDGET: Final = LoadBudget()


# --------------------------------------------------------------------------------------------
# Percentiles


def _exact(p: float | int | Fraction) -> Fraction:
    # Through str() so that 99.9 means 999/10 and not the nearest binary double.
    return Fraction(str(p)) if isinstance(p, float) else Fraction(p)


def nearest_rank(n: int, p: float | int | Fraction) -> int:
    """1-based rank of the p-th percentile among n samples: ``ceil(p/100 * n)``, at least 1."""
    if n < 1:
        raise ValueError("a percentile needs at least one sample")
    if isinstance(p, float) and not math.isfinite(p):
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    exact = _exact(p)
    if not 0 < exact <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    return max(1, math.ceil(exact * n / 100))


def percentile_of_sorted(ordered: Sequence[float], p: float | int | Fraction) -> float:
    """Nearest-rank percentile of samples already sorted ascending."""
    return ordered[nearest_rank(len(ordered), p) - 1]


def percentile(samples: Iterable[float], p: float | int | Fraction) -> float:
    """Nearest-rank p-th percentile of raw samples (any order); ValueError on empty/non-finite."""
    ordered = sorted(samples)
    # NaN makes sorted() meaningless and inf is no response time: refuse rather than guess.
    if any(not math.isfinite(x) for x in ordered):
        raise ValueError("samples must be finite numbers")
    return percentile_of_sorted(ordered, p)


# --------------------------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True)
class LatencySummary:
    """Count, failures and latency figures of a set of requests (latency fields None when empty)."""

    count: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    min_ms: float | None
    max_ms: float | None
    mean_ms: float | None
    rps: float | None

    @property
    def error_ratio(self) -> Fraction | None:
        """Failed / all requests, exactly; None when there were no requests."""
        return Fraction(self.failures, self.count) if self.count else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures; milliseconds rounded to 3 decimals for reading only."""
        ratio = self.error_ratio
        return {
            "count": self.count,
            "failures": self.failures,
            "error_ratio": None if ratio is None else float(ratio),
            "p50_ms": _round(self.p50_ms),
            "p95_ms": _round(self.p95_ms),
            "p99_ms": _round(self.p99_ms),
            "min_ms": _round(self.min_ms),
            "max_ms": _round(self.max_ms),
            "mean_ms": _round(self.mean_ms),
            "rps": _round(self.rps),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def summarize(
    response_times_ms: Iterable[float], failures: int, duration_s: float | None
) -> LatencySummary:
    """Summarize raw response times; ``failures`` counts how many of them were failed requests."""
    ordered = sorted(response_times_ms)
    count = len(ordered)
    if not 0 <= failures <= count:
        raise ValueError(f"failures ({failures}) must be between 0 and the sample count ({count})")
    rps = count / duration_s if duration_s and duration_s > 0 else None
    if not ordered:
        return LatencySummary(0, 0, None, None, None, None, None, None, rps)
    if any(not math.isfinite(x) for x in ordered):
        raise ValueError("response times must be finite numbers")
    p50, p95, p99 = (percentile_of_sorted(ordered, p) for p in REPORTED_PERCENTILES)
    return LatencySummary(
        count=count,
        failures=failures,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        min_ms=ordered[0],
        max_ms=ordered[-1],
        mean_ms=math.fsum(ordered) / count,
        rps=rps,
    )


# --------------------------------------------------------------------------------------------
# Verdicts


class Scope(StrEnum):
    """How much of the budget applies to a class in a given run."""

    # The class is what the run measures: latency, errors and sample count all apply.
    FULL = "full"
    # The class only occurs as set-up (e.g. the read mix's one login per user): too few samples
    # for a latency figure, but a failed request is still a failed request.
    ERRORS_ONLY = "errors-only"


@dataclass(frozen=True)
class ClassVerdict:
    """Verdict of one request class, with the figures and the reasons behind it."""

    load_class: RequestClass
    verdict: LoadVerdict
    scope: Scope
    summary: LatencySummary
    p95_limit_ms: float
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready class verdict."""
        return {
            "verdict": self.verdict.value,
            "scope": self.scope.value,
            "p95_ms_below": self.p95_limit_ms,
            **self.summary.to_dict(),
            "reasons": list(self.reasons),
        }


def _ms(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + " ms"


def _pct(ratio: Fraction) -> str:
    return f"{float(ratio) * 100:.3g} %"


def _judge_short_class(
    load_class: RequestClass,
    ordered: list[float],
    summary: LatencySummary,
    budget: LoadBudget,
    observed: list[str],
) -> ClassVerdict:
    """A class with fewer samples than required: INCONCLUSIVE, unless a breach is already certain.

    Too little data is never a pass. It is a breach only when no completion of the sample could
    save it: padded up to ``min_samples`` with the best possible missing samples (instant
    successes), the class still breaches. Otherwise a p95 of 20 samples is noise, not evidence.
    """
    limit = budget.p95_limit_ms(load_class)
    missing = budget.min_samples - summary.count
    short = f"{load_class}: {summary.count} samples, fewer than the {budget.min_samples} required"
    certain: list[str] = []
    if Fraction(summary.failures, budget.min_samples) >= budget.max_error_ratio:
        certain.append(
            f"{load_class}: {summary.failures} failures already make the error ratio at least"
            f" {_pct(Fraction(summary.failures, budget.min_samples))}, not below"
            f" {_pct(budget.max_error_ratio)}, even if the {missing} missing samples succeeded"
        )
    if ordered:
        best_p95 = percentile_of_sorted([0.0] * missing + ordered, budget.percentile)
        if best_p95 >= limit:
            certain.append(
                f"{load_class}: p95 is at least {_ms(best_p95)}, not below {_ms(limit)}, even if"
                f" the {missing} missing samples were instant ({PERCENTILE_METHOD})"
            )
    if certain:
        reasons = (short, *certain, *(r for r in observed if "not below" not in r))
        return ClassVerdict(
            load_class, LoadVerdict.BREACH, Scope.FULL, summary, limit, tuple(reasons)
        )
    return ClassVerdict(
        load_class, LoadVerdict.INCONCLUSIVE, Scope.FULL, summary, limit, (short, *observed)
    )


def evaluate_class(
    load_class: RequestClass,
    response_times_ms: Sequence[float],
    failures: int,
    *,
    duration_s: float | None = None,
    budget: LoadBudget = LOAD_BUDGET,
    scope: Scope = Scope.FULL,
) -> ClassVerdict:
    """Judge one class from its raw response times.

    FULL scope: BREACH if p95 >= its limit or error ratio >= its limit, else PASS; with fewer than
    ``min_samples`` samples, INCONCLUSIVE unless the breach is certain whatever the missing samples
    would have been. ERRORS_ONLY scope: only the error ratio is judged, and no samples at all is a
    PASS (nothing of that class was needed).
    """
    summary = summarize(response_times_ms, failures, duration_s)
    limit = budget.p95_limit_ms(load_class)
    reasons: list[str] = []
    breached = False

    ratio = summary.error_ratio
    if ratio is not None:
        if ratio >= budget.max_error_ratio:
            breached = True
            reasons.append(
                f"{load_class}: error ratio {summary.failures}/{summary.count} = {_pct(ratio)}"
                f" is not below {_pct(budget.max_error_ratio)}"
            )
        else:
            reasons.append(
                f"{load_class}: error ratio {summary.failures}/{summary.count} = {_pct(ratio)}"
                f" < {_pct(budget.max_error_ratio)}"
            )

    if scope is Scope.ERRORS_ONLY:
        verdict = LoadVerdict.BREACH if breached else LoadVerdict.PASS
        reasons.append(f"{load_class}: set-up traffic only, latency and sample count not judged")
        return ClassVerdict(load_class, verdict, scope, summary, limit, tuple(reasons))

    if summary.count < budget.min_samples:
        return _judge_short_class(load_class, sorted(response_times_ms), summary, budget, reasons)

    p95 = summary.p95_ms
    if p95 is None:  # unreachable: count >= min_samples >= 1; keeps the type checker honest
        raise ValueError("no p95 for a non-empty class")
    if p95 >= limit:
        breached = True
        reasons.append(
            f"{load_class}: p95 {_ms(p95)} is not below {_ms(limit)}"
            f" (n={summary.count}, {PERCENTILE_METHOD})"
        )
    else:
        reasons.append(
            f"{load_class}: p95 {_ms(p95)} < {_ms(limit)} (n={summary.count}, {PERCENTILE_METHOD})"
        )
    verdict = LoadVerdict.BREACH if breached else LoadVerdict.PASS
    return ClassVerdict(load_class, verdict, scope, summary, limit, tuple(reasons))


@dataclass(frozen=True)
class EndpointSamples:
    """Raw response times of one request name (one row of the result table)."""

    name: str
    method: str
    load_class: RequestClass
    response_times_ms: Sequence[float]
    failures: int


@dataclass(frozen=True)
class EndpointSummary:
    """Figures of one request name."""

    name: str
    method: str
    load_class: RequestClass
    summary: LatencySummary

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready endpoint row."""
        return {
            "name": self.name,
            "method": self.method,
            "class": self.load_class.value,
            **self.summary.to_dict(),
        }


@dataclass(frozen=True)
class CacheStats:
    """Server cache counters over the run (a delta of the server's hit/miss counters)."""

    hits: int
    misses: int
    source: str = ""

    @property
    def hit_rate(self) -> float | None:
        """hits / (hits + misses); None when the cache was not consulted."""
        total = self.hits + self.misses
        return self.hits / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counters."""
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hit_rate,
            "source": self.source,
        }


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_cache_counters(doc: Any, *, source: str = "") -> CacheStats | None:
    """Read ``{"hits": int, "misses": int}`` (top level or under ``"cache"``); None if absent."""
    if isinstance(doc, Mapping) and isinstance(doc.get("cache"), Mapping):
        doc = doc["cache"]
    if not isinstance(doc, Mapping):
        return None
    hits, misses = doc.get("hits"), doc.get("misses")
    if not (_count(hits) and _count(misses)):
        return None
    return CacheStats(hits=hits, misses=misses, source=source)


def cache_delta(before: CacheStats, after: CacheStats) -> CacheStats | None:
    """Counters accumulated during the run; None if they went backwards (server restarted)."""
    hits, misses = after.hits - before.hits, after.misses - before.misses
    if hits < 0 or misses < 0:
        return None
    return CacheStats(hits=hits, misses=misses, source=after.source)


@dataclass(frozen=True)
class LoadResult:
    """Everything a load run concluded; ``to_dict`` is the JSON result document."""

    verdict: LoadVerdict
    classes: tuple[ClassVerdict, ...]
    endpoints: tuple[EndpointSummary, ...]
    budget: LoadBudget
    reasons: tuple[str, ...]
    duration_s: float | None
    tool_errors: tuple[str, ...] = ()
    cache: CacheStats | None = None
    run: Mapping[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> ExitCode:
        """Process exit status for this result."""
        return exit_code_for(self.verdict)

    def class_verdict(self, load_class: RequestClass) -> ClassVerdict | None:
        """The verdict of one class, if the run had it."""
        return next((c for c in self.classes if c.load_class is load_class), None)

    def to_dict(self) -> dict[str, Any]:
        """The result document read by people, CI and the deploy gate."""
        return {
            "schema": SCHEMA,
            "verdict": self.verdict.value,
            "exit_code": int(self.exit_code),
            "reasons": list(self.reasons),
            "thresholds": self.budget.to_dict(),
            "classes": {c.load_class.value: c.to_dict() for c in self.classes},
            "endpoints": [e.to_dict() for e in self.endpoints],
            "duration_s": _round(self.duration_s),
            "cache": None if self.cache is None else self.cache.to_dict(),
            "tool_errors": list(self.tool_errors),
            "run": dict(self.run),
        }


def overall_verdict(classes: Iterable[ClassVerdict], tool_errors: Sequence[str]) -> LoadVerdict:
    """Combine class verdicts: BREACH > TOOL_ERROR > INCONCLUSIVE > PASS.

    A measured breach wins over a tool error because the breach was observed on real responses;
    a tool error wins over INCONCLUSIVE and PASS because the numbers cannot be trusted then.
    """
    verdicts = {c.verdict for c in classes}
    if LoadVerdict.BREACH in verdicts:
        return LoadVerdict.BREACH
    if tool_errors:
        return LoadVerdict.TOOL_ERROR
    if LoadVerdict.INCONCLUSIVE in verdicts:
        return LoadVerdict.INCONCLUSIVE
    return LoadVerdict.PASS


def evaluate_run(
    endpoints: Iterable[EndpointSamples],
    *,
    judged_classes: Collection[RequestClass] = tuple(RequestClass),
    duration_s: float | None = None,
    budget: LoadBudget = LOAD_BUDGET,
    tool_errors: Sequence[str] = (),
    cache: CacheStats | None = None,
    run: Mapping[str, Any] | None = None,
) -> LoadResult:
    """Judge a whole run from per-endpoint raw samples.

    ``judged_classes`` are the classes the run is meant to measure (FULL scope); a judged class with
    no samples at all is INCONCLUSIVE, never a pass. Other classes that nevertheless have samples
    are judged on errors only. No judged class at all is a tool error (a misconfigured run).
    """
    rows = list(endpoints)
    tool_errors = list(tool_errors)
    if not judged_classes:
        tool_errors.append("no request class is judged by this run")

    endpoint_summaries = tuple(
        EndpointSummary(
            r.name, r.method, r.load_class, summarize(r.response_times_ms, r.failures, duration_s)
        )
        for r in sorted(rows, key=lambda r: (r.load_class.value, r.name, r.method))
    )

    class_verdicts: list[ClassVerdict] = []
    for load_class in RequestClass:
        members = [r for r in rows if r.load_class is load_class]
        judged = load_class in judged_classes
        if not members and not judged:
            continue
        times = [t for r in members for t in r.response_times_ms]
        failures = sum(r.failures for r in members)
        class_verdicts.append(
            evaluate_class(
                load_class,
                times,
                failures,
                duration_s=duration_s,
                budget=budget,
                scope=Scope.FULL if judged else Scope.ERRORS_ONLY,
            )
        )

    verdict = overall_verdict(class_verdicts, tool_errors)
    reasons = [f"tool error: {e}" for e in tool_errors]
    for c in class_verdicts:
        reasons.extend(c.reasons)
    return LoadResult(
        verdict=verdict,
        classes=tuple(class_verdicts),
        endpoints=endpoint_summaries,
        budget=budget,
        reasons=tuple(reasons),
        duration_s=duration_s,
        tool_errors=tuple(tool_errors),
        cache=cache,
        run=dict(run or {}),
    )
