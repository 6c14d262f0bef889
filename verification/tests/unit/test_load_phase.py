"""Unit tests of reading a load run's verdict into gate checks (without restating its budgets)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from loadtests.common.thresholds import EndpointSamples, RequestClass, evaluate_run
from verification.gate import CheckResult, CheckStatus, Verdict, evaluate
from verification.load_phase import RUN_CHECK, checks_from_load_result, read_load_result
from verification.thresholds import SERVICE_CRITICAL_CHECKS

READ, WRITE = RequestClass.READ, RequestClass.WRITE


def load_doc(read: list[float], write: list[float], write_failures: int = 0) -> dict[str, Any]:
    rows = [
        EndpointSamples("/api/v1/auth/me", "GET", READ, read, 0),
        EndpointSamples("/api/v1/attendance/", "POST", WRITE, write, write_failures),
    ]
    return json.loads(json.dumps(evaluate_run(rows, duration_s=60.0).to_dict()))


def healthy_target() -> list[CheckResult]:
    return [CheckResult(n, CheckStatus.PASS) for n in SERVICE_CRITICAL_CHECKS] + [
        CheckResult(f"integration::test_{i}", CheckStatus.PASS) for i in range(20)
    ]


def test_passing_run_gives_a_passing_critical_check_per_class() -> None:
    checks = checks_from_load_result(load_doc([10.0] * 300, [100.0] * 250), source="load.json")

    assert [(c.name, c.status, c.critical) for c in checks] == [
        ("load.read", CheckStatus.PASS, True),
        ("load.write", CheckStatus.PASS, True),
    ]
    read = checks[0]
    assert read.n == 300
    assert read.evidence["p95_ms"] == 10.0
    assert read.evidence["source"] == "load.json"
    assert read.threshold == "read: p95 < 500 ms, errors < 1 %, n >= 200"
    assert read.duration == 60.0


def test_thresholds_are_worded_from_the_document_not_restated() -> None:
    doc = load_doc([10.0] * 300, [100.0] * 250)
    doc["classes"]["read"]["p95_ms_below"] = 777
    doc["thresholds"]["min_samples_per_class"] = 31

    (read, _) = checks_from_load_result(doc)

    assert read.threshold == "read: p95 < 777 ms, errors < 1 %, n >= 31"


def test_breach_fails_its_check_and_the_gate() -> None:
    # given writes whose true p95 is 2050 ms
    doc = load_doc([10.0] * 300, [100.0] * 189 + [2050.0] * 11)

    checks = checks_from_load_result(doc)
    verdict = evaluate(healthy_target() + checks)

    assert {c.name: c.status for c in checks}["load.write"] is CheckStatus.FAIL
    assert verdict.verdict is Verdict.NO_GO
    assert verdict.reasons[0] == "critical check failed: load.write"


def test_inconclusive_class_is_a_skipped_critical_check() -> None:
    doc = load_doc([10.0] * 300, [100.0] * 50)

    checks = checks_from_load_result(doc)
    verdict = evaluate(healthy_target() + checks)

    write = {c.name: c for c in checks}["load.write"]
    assert write.status is CheckStatus.SKIP
    assert write.reason == "load class inconclusive: too few samples"
    assert verdict.verdict is Verdict.INCONCLUSIVE


def test_tool_error_is_a_harness_error() -> None:
    doc = json.loads(json.dumps(evaluate_run([], judged_classes=()).to_dict()))

    (check,) = checks_from_load_result(doc)

    assert (check.name, check.status) == (RUN_CHECK, CheckStatus.ERROR)
    assert "load tool error" in (check.reason or "")
    assert evaluate([*healthy_target(), check]).verdict is Verdict.ERROR


def test_unknown_schema_is_an_error() -> None:
    doc = load_doc([10.0] * 300, [100.0] * 250)
    doc["schema"] = "something-else/9"

    (check,) = checks_from_load_result(doc)

    assert check.status is CheckStatus.ERROR
    assert "schema" in (check.reason or "")


def test_document_contradicting_itself_is_an_error() -> None:
    doc = load_doc([10.0] * 300, [100.0] * 250)
    doc["verdict"] = "BREACH"  # while every class passed

    (check,) = checks_from_load_result(doc)

    assert check.status is CheckStatus.ERROR
    assert "disagrees" in (check.reason or "")


def test_malformed_documents_are_errors() -> None:
    doc: object
    for doc in (
        None,
        [],
        {"schema": "rgms.load-result/1"},
        {"schema": "rgms.load-result/1", "verdict": "PASS", "classes": {"read": 1}},
    ):
        (check,) = checks_from_load_result(doc)
        assert check.status is CheckStatus.ERROR


def test_missing_or_broken_file_is_an_error(tmp_path: Path) -> None:
    (missing,) = read_load_result(tmp_path / "load-read.json")
    broken_file = tmp_path / "broken.json"
    broken_file.write_text("{", encoding="utf-8")
    (broken,) = read_load_result(broken_file)

    assert missing.status is CheckStatus.ERROR
    assert "did the load phase run" in (missing.reason or "")
    assert broken.status is CheckStatus.ERROR


def test_reads_a_written_result_file(tmp_path: Path) -> None:
    path = tmp_path / "load-read-write.json"
    path.write_text(json.dumps(load_doc([10.0] * 300, [100.0] * 250)), encoding="utf-8")

    assert [c.status for c in read_load_result(path)] == [CheckStatus.PASS, CheckStatus.PASS]
