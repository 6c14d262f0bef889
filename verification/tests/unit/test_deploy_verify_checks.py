"""deploy-verify's own logic, without a target: how observations become checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cutover.platform.base import DeployStatus, PlatformError, ServiceState
from verification.checks.beat import R21, compare_schedule
from verification.checks.common import CheckFailed, CheckSkipped, run_check
from verification.checks.contract import read_contract_junit
from verification.checks.liveness import liveness_checks, same_commit_check
from verification.checks.suite import RUN_CHECK, checks_from_results
from verification.checks.watch_probe import summary_breaches
from verification.gate import CheckStatus
from verification.rehearsal import toolkit
from verification.targets.base import Target
from verification.thresholds import LIVENESS_WORKER, SAME_COMMIT, WATCH_RULES


def suite_doc(*tests: dict[str, Any], exitstatus: int = 0) -> dict[str, Any]:
    return {"schema": "rgms.suite-results/1", "exitstatus": exitstatus, "tests": list(tests)}


def a_test(name: str, outcome: str, *, critical: bool = False, message: str = "") -> dict[str, Any]:
    return {
        "nodeid": f"x.py::{name}",
        "name": f"x.{name}",
        "outcome": outcome,
        "critical": critical,
        "message": message,
        "duration_s": 0.5,
    }


# --- suite results -> checks ----------------------------------------------------------


def test_each_suite_outcome_maps_to_a_status() -> None:
    checks = checks_from_results(
        suite_doc(
            a_test("a", "passed", critical=True),
            a_test("b", "failed", message="E assert 1 == 2\nline 3: AssertionError"),
            a_test("c", "error", message="setup broke"),
            a_test("d", "skipped", message="Skipped: no broker"),
            a_test("e", "xfailed", message="expected failure (a known gap): not built\nmore"),
            a_test("f", "xpassed", message="expected failure (a known gap): not built"),
            exitstatus=1,
        )
    )
    statuses = {c.name: c.status for c in checks}
    assert statuses == {
        "suite.x.a": CheckStatus.PASS,
        "suite.x.b": CheckStatus.FAIL,
        "suite.x.c": CheckStatus.FAIL,
        "suite.x.d": CheckStatus.SKIP,
        "suite.x.e": CheckStatus.SKIP,
        "suite.x.f": CheckStatus.FAIL,
    }
    by_name = {c.name: c for c in checks}
    assert by_name["suite.x.a"].critical
    assert by_name["suite.x.b"].reason == "line 3: AssertionError"
    assert by_name["suite.x.e"].reason == "expected failure (a known gap): not built"


def test_a_crashed_or_empty_suite_is_an_error_never_a_pass() -> None:
    assert [c.status for c in checks_from_results({})] == [CheckStatus.ERROR]
    empty = checks_from_results(suite_doc(exitstatus=5))
    assert [(c.name, c.status) for c in empty] == [(RUN_CHECK, CheckStatus.ERROR)]
    interrupted = checks_from_results(suite_doc(a_test("a", "passed"), exitstatus=2))
    assert (RUN_CHECK, CheckStatus.ERROR) in [(c.name, c.status) for c in interrupted]


# --- beat schedule ----------------------------------------------------------------------


def r21_rows() -> dict[str, dict[str, Any]]:
    fields = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
    return {
        name: {
            "task": f"t.{name}",
            "enabled": True,
            "timezone": "UTC",
            **dict(zip(fields, crontab, strict=True)),
        }
        for name, crontab in R21.items()
    }


def test_the_r21_schedule_matches() -> None:
    rows = r21_rows()
    rows["backup-database"]["day_of_week"] = "0"  # Sunday, spelled as a number
    assert compare_schedule(rows) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: r.pop("sync-attendance"), "sync-attendance: missing"),
        (lambda r: r["cleanup-old-sessions"].update(hour="3"), "cleanup-old-sessions: crontab"),
        (lambda r: r["backup-database"].update(day_of_week="*"), "backup-database: crontab"),
        (lambda r: r["generate-daily-reports"].update(enabled=False), "disabled"),
        (lambda r: r["cleanup-expired-tokens"].update(timezone="Asia/Manila"), "time zone"),
    ],
)
def test_schedule_differences_are_named(change: Any, problem: str) -> None:
    rows = r21_rows()
    change(rows)
    assert any(problem in p for p in compare_schedule(rows))


# --- liveness ----------------------------------------------------------------------------


class FakePlatform:
    name = "fake"

    def __init__(self, states: list[ServiceState] | Exception) -> None:
        self.states = states

    def deploy_status(self) -> DeployStatus:
        if isinstance(self.states, Exception):
            raise self.states
        return DeployStatus("fake", tuple(self.states))


def target_with(platform: Any, **kw: Any) -> Target:
    return Target("local", "http://x", "ws://x", {}, platform=platform, **kw)


def state(role: str, live: bool = True, commit: str | None = "abc") -> ServiceState:
    return ServiceState(role, role, live, "running" if live else "stopped", commit)


def test_liveness_per_service() -> None:
    platform = FakePlatform(
        [state("web"), state("channels"), state("worker", live=False), state("beat")]
    )
    results, status = liveness_checks(target_with(platform))
    statuses = {r.name: r.status for r in results}
    assert statuses[LIVENESS_WORKER] is CheckStatus.FAIL
    assert sum(s is CheckStatus.PASS for s in statuses.values()) == 3
    assert status is not None


def test_liveness_unknown_is_never_a_pass() -> None:
    results, _ = liveness_checks(target_with(None))
    assert {r.status for r in results} == {CheckStatus.SKIP}
    errored, _ = liveness_checks(target_with(FakePlatform(PlatformError("API down"))))
    assert {r.status for r in errored} == {CheckStatus.ERROR}
    limited, _ = liveness_checks(
        target_with(
            FakePlatform([state("web"), state("channels")]),
            limitations={LIVENESS_WORKER: "no Redis"},
        )
    )
    by_name = {r.name: r for r in limited}
    assert by_name[LIVENESS_WORKER].status is CheckStatus.SKIP
    assert by_name["liveness.beat"].status is CheckStatus.FAIL  # missing service: a failure


def test_same_commit() -> None:
    same = DeployStatus("render", (state("web", commit="a"), state("beat", commit="a")))
    other = DeployStatus("render", (state("web", commit="a"), state("beat", commit="b")))
    unknown = DeployStatus("render", (state("web", commit="a"), state("beat", commit=None)))
    assert same_commit_check(same).status is CheckStatus.PASS
    assert same_commit_check(other).status is CheckStatus.FAIL
    assert same_commit_check(unknown).status is CheckStatus.FAIL
    assert same_commit_check(None).name == SAME_COMMIT


# --- run_check ---------------------------------------------------------------------------


def test_run_check_maps_outcomes() -> None:
    def fails() -> tuple[dict[str, Any], int]:
        raise CheckFailed("wrong answer", status=500)

    def skips() -> tuple[dict[str, Any], int]:
        raise CheckSkipped("not here")

    def breaks() -> tuple[dict[str, Any], int]:
        raise KeyError("bug")

    assert run_check("a", lambda: ({"x": 1}, 1)).status is CheckStatus.PASS
    failed = run_check("b", fails, critical=True)
    assert failed.status is CheckStatus.FAIL
    assert failed.evidence["status"] == 500
    assert failed.critical
    assert run_check("c", skips).status is CheckStatus.SKIP
    errored = run_check("d", breaks)
    assert errored.status is CheckStatus.ERROR
    assert "harness error" in (errored.reason or "")
    assert run_check("e", breaks, limitation="no Redis").status is CheckStatus.SKIP


# --- contract JUnit ----------------------------------------------------------------------


def test_contract_cases_are_critical_checks(tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    junit.write_text(
        "<testsuites><testsuite>"
        "<testcase classname='c' name='GET /cadets/' time='0.5'/>"
        "<testcase classname='c' name='POST /grades/' time='0.2'>"
        "<failure message='500 Internal Server Error'>trace</failure></testcase>"
        "</testsuite></testsuites>"
    )
    checks = read_contract_junit(junit)
    assert [(c.name, c.status, c.critical) for c in checks] == [
        ("contract.GET /cadets/", CheckStatus.PASS, True),
        ("contract.POST /grades/", CheckStatus.FAIL, True),
    ]
    missing = read_contract_junit(tmp_path / "absent.xml")
    assert [c.status for c in missing] == [CheckStatus.ERROR]


# --- watch: the server's own figures ----------------------------------------------------


def summary(count: int, errors: int, p95: float | None) -> dict[str, Any]:
    return {"requests": {"count": count, "errors": errors, "p95_ms": p95}}


def test_server_summary_breaches_follow_the_watch_rules() -> None:
    n = WATCH_RULES.min_samples
    assert summary_breaches(summary(n, n * 5 // 100, 1000.0), WATCH_RULES) == []  # exactly
    assert summary_breaches(summary(n, n * 5 // 100 + 1, 10.0), WATCH_RULES)
    assert summary_breaches(summary(n, 0, 1000.1), WATCH_RULES)
    assert summary_breaches(summary(n - 1, n, 5000.0), WATCH_RULES) == []  # too few: no call
    assert summary_breaches(None, WATCH_RULES) == []


# --- toolkit lookup ----------------------------------------------------------------------


def test_missing_toolkit_steps_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(toolkit.CANDIDATES, "rollback", (("cutover.no_such_module", "run"),))
    step = toolkit.find("rollback")
    assert not step.available
    assert "cutover.no_such_module.run" in (step.missing or "")
    monkeypatch.setitem(toolkit.CANDIDATES, "rollback", (("json", "dumps"),))
    assert toolkit.find("rollback").function is json.dumps
