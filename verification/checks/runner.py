"""deploy-verify: every check against a target, the gate's verdict, the report.

Phases, in order (each a list of CheckResults; a phase that raises is one ERROR check):

1. liveness: every service live (local: processes up; Render: latest deploy live, not
   suspended) and, on Render, all four on the same commit;
2. health: web's /api/health (critical), channels' health, a burst of authenticated reads;
3. websocket: a round trip with a token minted by web (critical), user isolation, a tampered
   token refused, the worker's notify_user reaching the socket;
4. celery: a task through the worker, its result seen through web (critical);
5. beat: the R21 schedule stored (critical) and the canary observed within twice its interval
   (critical);
6. suite: the integration suite against the target, one check per test;
7. contract, load (optional): their JSON/JUnit results, read, not re-judged.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verification.checks.beat import beat_checks
from verification.checks.celery import ROUND_TRIP_TIMEOUT_S, celery_check
from verification.checks.contract import read_contract_junit
from verification.checks.health import health_checks
from verification.checks.liveness import liveness_checks, same_commit_check
from verification.checks.suite import run_suite
from verification.checks.websocket import DELIVERY_TIMEOUT_S, websocket_checks
from verification.gate import CheckResult, CheckStatus, GateVerdict, evaluate
from verification.load_phase import read_load_result
from verification.report.html import write_html
from verification.report.json import write_json
from verification.targets.base import Target
from verification.thresholds import gate_rules

PhaseHook = Callable[[str, str, Sequence[CheckResult], float], None]


@dataclass
class VerifyOptions:
    out_dir: Path
    include_suite: bool = True
    load_results: Sequence[Path] = ()
    contract_junit: Path | None = None
    settings_probe: Callable[[], dict[str, dict[str, Any]]] | None = None
    on_phase: PhaseHook | None = None  # (phase, "start"|"done", results, seconds)
    # Bounds for waiting on the target (shorter in the gate's own tests of broken targets).
    delivery_timeout_s: float = DELIVERY_TIMEOUT_S
    task_timeout_s: float = ROUND_TRIP_TIMEOUT_S


@dataclass
class PhaseTiming:
    name: str
    seconds: float
    checks: int
    summary: str


@dataclass
class VerifyRun:
    results: list[CheckResult] = field(default_factory=list)
    phases: list[PhaseTiming] = field(default_factory=list)


def _phase_error(phase: str, exc: BaseException) -> CheckResult:
    return CheckResult(
        f"{phase}.phase",
        CheckStatus.ERROR,
        evidence={
            "reason": f"the {phase} phase crashed: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=8)[-3000:],
        },
    )


def _summary(results: Sequence[CheckResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no checks"


def deploy_verify(target: Target, options: VerifyOptions) -> VerifyRun:
    run = VerifyRun()
    status_holder: dict[str, Any] = {}

    def liveness() -> list[CheckResult]:
        results, status = liveness_checks(target)
        status_holder["status"] = status
        if target.kind == "render":
            results.append(same_commit_check(status))
        return results

    phases: list[tuple[str, Callable[[], list[CheckResult]]]] = [
        ("liveness", liveness),
        ("health", lambda: health_checks(target)),
        ("websocket", lambda: websocket_checks(target, delivery_s=options.delivery_timeout_s)),
        ("celery", lambda: [celery_check(target, timeout=options.task_timeout_s)]),
        ("beat", lambda: beat_checks(target, settings_probe=options.settings_probe)),
    ]
    if options.include_suite:
        phases.append(("suite", lambda: run_suite(target, options.out_dir / "suite")))
    if options.contract_junit is not None:
        junit = options.contract_junit
        phases.append(("contract", lambda: read_contract_junit(junit)))
    if options.load_results:
        paths = list(options.load_results)
        phases.append(("load", lambda: [r for p in paths for r in read_load_result(p)]))

    for name, phase in phases:
        if options.on_phase:
            options.on_phase(name, "start", [], 0.0)
        started = time.perf_counter()
        try:
            results = phase()
        except Exception as exc:
            results = [_phase_error(name, exc)]
        seconds = time.perf_counter() - started
        run.results.extend(results)
        run.phases.append(PhaseTiming(name, round(seconds, 2), len(results), _summary(results)))
        if options.on_phase:
            options.on_phase(name, "done", results, seconds)
    return run


@dataclass
class Report:
    verdict: GateVerdict
    json_path: Path
    html_path: Path


def write_report(
    results: Sequence[CheckResult],
    *,
    kind: str,
    out_dir: Path,
    meta: dict[str, Any],
    stem: str = "gate-report",
) -> Report:
    """Judge ``results`` with the gate's rules for ``kind`` and write JSON and HTML."""
    verdict = evaluate(results, rules=gate_rules(kind))
    json_path = write_json(verdict, out_dir / f"{stem}.json", meta=meta)
    html_path = write_html(verdict, out_dir / f"{stem}.html", meta=meta)
    return Report(verdict, json_path, html_path)
