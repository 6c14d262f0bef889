"""The cutover gate: check results in, GO / NO-GO / INCONCLUSIVE / ERROR out, with reasons.

Pure: no I/O, no clock, no environment. The person running the cutover trusts its GO, so GO is
given only on complete evidence:

* GO: pass rate (passed / executed) strictly above 95 % over at least the minimum number of
  executed checks, no critical check failed, and every critical check ran (none skipped, none
  missing, none errored).
* NO-GO: a critical check failed (named), or the pass rate cannot exceed 95 % whatever the
  missing data would have shown.
* ERROR: the harness itself failed (a check ended in ERROR, duplicate names, no results at all),
  so there is no trustworthy evidence either way.
* INCONCLUSIVE: evidence is missing (a critical check skipped or absent, too few checks) and what
  is there does not already decide NO-GO.

Missing data is never a pass. It decides nothing either: "certain NO-GO" is computed by counting
every unknown (errored, skipped-critical, missing-critical, and checks short of the minimum) as if
it had passed. If even that best case does not exceed 95 %, the NO-GO is certain and reported as
such; the load verdict and the watch use the same best-case padding. Precedence: critical failure
(NO-GO) > certain pass-rate NO-GO > ERROR > INCONCLUSIVE > GO.

Exit codes (``GateVerdict.exit_code``) mirror the load run's: GO 0, NO-GO 1, ERROR 2,
INCONCLUSIVE 3.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Final

from verification.thresholds import GATE_RULES, GateRules


class CheckStatus(StrEnum):
    """Outcome of one check. SKIP: not run (not applicable or not possible); ERROR: the harness
    failed to run it (so nothing is known about the target)."""

    PASS = "PASS"  # noqa: S105 - a status, not a password
    FAIL = "FAIL"
    SKIP = "SKIP"
    ERROR = "ERROR"


@dataclass(frozen=True)
class CheckResult:
    """One check's result. ``evidence`` holds what was observed (JSON-able values), ``duration``
    the wall time in seconds, ``n`` the number of observations behind the result (requests, rows,
    round trips), ``threshold`` the bar the check applied, in words (e.g. "p95 < 500 ms").

    By convention, raw latencies go in ``evidence["latencies_ms"]`` (the report's histogram) and
    the reason for a SKIP or ERROR in ``evidence["reason"]``.
    """

    name: str
    status: CheckStatus
    critical: bool = False
    evidence: Mapping[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    n: int | None = None
    threshold: str | None = None

    def __post_init__(self) -> None:
        # Accept "PASS" from code that builds results from JSON; refuse anything else loudly.
        object.__setattr__(self, "status", CheckStatus(self.status))
        if not self.name:
            raise ValueError("a check needs a name")
        if not math.isfinite(self.duration) or self.duration < 0:
            raise ValueError(f"{self.name}: duration must be a non-negative number of seconds")
        if self.n is not None and self.n < 0:
            raise ValueError(f"{self.name}: n must not be negative")

    @property
    def reason(self) -> str | None:
        """The stated reason for a SKIP or ERROR, if the check gave one."""
        value = self.evidence.get("reason")
        return None if value is None else str(value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (evidence as given)."""
        return {
            "name": self.name,
            "status": self.status.value,
            "critical": self.critical,
            "evidence": dict(self.evidence),
            "duration_s": self.duration,
            "n": self.n,
            "threshold": self.threshold,
        }


class Verdict(StrEnum):
    """The gate's answer."""

    GO = "GO"
    NO_GO = "NO-GO"
    INCONCLUSIVE = "INCONCLUSIVE"
    ERROR = "ERROR"


class GateExitCode(IntEnum):
    """Process exit status of a gate run (same numbering as the load run's)."""

    GO = 0
    NO_GO = 1
    ERROR = 2
    INCONCLUSIVE = 3


_EXIT: Final = {
    Verdict.GO: GateExitCode.GO,
    Verdict.NO_GO: GateExitCode.NO_GO,
    Verdict.ERROR: GateExitCode.ERROR,
    Verdict.INCONCLUSIVE: GateExitCode.INCONCLUSIVE,
}


@dataclass(frozen=True)
class GateVerdict:
    """The verdict, every reason behind it, and the arithmetic it rests on."""

    verdict: Verdict
    reasons: tuple[str, ...]
    results: tuple[CheckResult, ...]
    rules: GateRules
    executed: int
    passed: int
    failed: int
    skipped: int
    errored: int
    pass_rate: Fraction | None
    failed_critical: tuple[str, ...] = ()
    skipped_critical: tuple[str, ...] = ()
    missing_critical: tuple[str, ...] = ()
    errored_checks: tuple[str, ...] = ()
    failed_checks: tuple[str, ...] = ()

    @property
    def exit_code(self) -> GateExitCode:
        """Process exit status for CI."""
        return _EXIT[self.verdict]

    def is_critical(self, result: CheckResult) -> bool:
        """Whether a result counts as critical under these rules."""
        return result.critical or result.name in self.rules.required_critical

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready verdict with its counts, reasons and rules (results listed separately)."""
        return {
            "verdict": self.verdict.value,
            "exit_code": int(self.exit_code),
            "reasons": list(self.reasons),
            "counts": {
                "total": len(self.results),
                "executed": self.executed,
                "passed": self.passed,
                "failed": self.failed,
                "skipped": self.skipped,
                "errored": self.errored,
            },
            "pass_rate": None if self.pass_rate is None else float(self.pass_rate),
            "failed_critical": list(self.failed_critical),
            "skipped_critical": list(self.skipped_critical),
            "missing_critical": list(self.missing_critical),
            "errored_checks": list(self.errored_checks),
            "failed_checks": list(self.failed_checks),
            "rules": self.rules.to_dict(),
        }


def _pct(rate: Fraction) -> str:
    return f"{float(rate) * 100:.2f}".rstrip("0").rstrip(".") + " %"


def _with_reason(result: CheckResult) -> str:
    return f"{result.name} ({result.reason})" if result.reason else result.name


def evaluate(results: Iterable[CheckResult], *, rules: GateRules = GATE_RULES) -> GateVerdict:
    """Decide GO / NO-GO / INCONCLUSIVE / ERROR from check results (see the module docstring)."""
    checks = tuple(results)
    by_status: dict[CheckStatus, list[CheckResult]] = {s: [] for s in CheckStatus}
    for check in checks:
        by_status[check.status].append(check)

    def critical(check: CheckResult) -> bool:
        return check.critical or check.name in rules.required_critical

    passed = len(by_status[CheckStatus.PASS])
    failed = by_status[CheckStatus.FAIL]
    errored = by_status[CheckStatus.ERROR]
    skipped = by_status[CheckStatus.SKIP]
    executed = passed + len(failed)
    pass_rate = Fraction(passed, executed) if executed else None

    failed_critical = [c for c in failed if critical(c)]
    failed_other = [c for c in failed if not critical(c)]
    skipped_critical = [c for c in skipped if critical(c)]
    missing_critical = sorted(rules.required_critical - {c.name for c in checks})
    duplicates = sorted(
        name for name, count in Counter(c.name for c in checks).items() if count > 1
    )

    # Best case for the unknowns: each errored, skipped-critical or missing-critical check, and
    # each check still needed to reach the minimum, counted as passed.
    unknown = len(errored) + len(skipped_critical) + len(missing_critical)
    best_total = max(executed + unknown, rules.min_executed_checks)
    best_rate = Fraction(passed + best_total - executed, best_total)
    certain_rate_failure = best_rate <= rules.pass_rate_must_exceed

    rate_text = (
        "no checks executed"
        if pass_rate is None
        else f"pass rate {passed}/{executed} = {_pct(pass_rate)}"
    )
    limit_text = _pct(rules.pass_rate_must_exceed)
    harness_errors = [f"harness error in check {_with_reason(c)}" for c in errored]
    if duplicates:
        harness_errors.insert(0, f"duplicate check names (a harness bug): {', '.join(duplicates)}")

    decisive: list[str] = []
    if not checks:
        verdict = Verdict.ERROR
        decisive.append("the harness produced no check results")
    elif failed_critical:
        verdict = Verdict.NO_GO
        decisive.extend(f"critical check failed: {c.name}" for c in failed_critical)
    elif certain_rate_failure:
        verdict = Verdict.NO_GO
        if unknown or executed < rules.min_executed_checks:
            decisive.append(
                f"{rate_text}: cannot exceed {limit_text} even if every unknown check (errored,"
                f" critical skipped or missing, or short of the minimum of"
                f" {rules.min_executed_checks}) had passed (best case {_pct(best_rate)})"
            )
        else:
            decisive.append(f"{rate_text} does not exceed {limit_text}")
    elif harness_errors:
        verdict = Verdict.ERROR
        decisive.extend(harness_errors)
    elif skipped_critical or missing_critical or executed < rules.min_executed_checks:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.GO
        decisive.append(
            f"{rate_text} exceeds {limit_text} over {executed} executed checks"
            f" (at least {rules.min_executed_checks}); every critical check passed"
        )

    # Everything else that was observed follows the decisive reasons, so nothing is hidden.
    observed = [
        *harness_errors,
        *(f"critical check skipped: {_with_reason(c)}" for c in skipped_critical),
        *(f"critical check missing: {name}" for name in missing_critical),
    ]
    if checks and executed < rules.min_executed_checks:
        observed.append(
            f"only {executed} checks executed, at least {rules.min_executed_checks} required"
        )
    if failed_other:
        observed.append("non-critical checks failed: " + ", ".join(c.name for c in failed_other))
    if skipped_other := [c for c in skipped if not critical(c)]:
        observed.append(
            "non-critical checks skipped (not counted): "
            + ", ".join(_with_reason(c) for c in skipped_other)
        )
    if verdict is not Verdict.GO and not any(rate_text in r for r in decisive):
        observed.append(f"{rate_text} (must exceed {limit_text})")
    reasons = decisive + [r for r in observed if r not in decisive]

    return GateVerdict(
        verdict=verdict,
        reasons=tuple(reasons),
        results=checks,
        rules=rules,
        executed=executed,
        passed=passed,
        failed=len(failed),
        skipped=len(skipped),
        errored=len(errored),
        pass_rate=pass_rate,
        failed_critical=tuple(c.name for c in failed_critical),
        skipped_critical=tuple(c.name for c in skipped_critical),
        missing_critical=tuple(missing_critical),
        errored_checks=tuple(c.name for c in errored),
        failed_checks=tuple(c.name for c in failed),
    )
