"""Unit tests of the gate report: JSON document, self-contained HTML, inline SVG charts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from verification.gate import CheckResult, CheckStatus, GateVerdict, evaluate
from verification.report.charts import group_of, histogram, latency_histogram, pass_rates
from verification.report.html import render_html, write_html
from verification.report.json import SCHEMA, render_json, report_document, write_json
from verification.thresholds import SERVICE_CRITICAL_CHECKS, WEBSOCKET_ROUND_TRIP

META = {"target": "local", "commit": "abc1234", "generated_at": "2026-01-01T00:00:00+00:00"}


def no_go_verdict() -> GateVerdict:
    checks = [
        CheckResult(
            name,
            CheckStatus.FAIL if name == WEBSOCKET_ROUND_TRIP else CheckStatus.PASS,
            evidence={"reason": "signature verification failed"}
            if name == WEBSOCKET_ROUND_TRIP
            else {},
            duration=0.25,
            n=1,
            threshold="reply within 5 s",
        )
        for name in sorted(SERVICE_CRITICAL_CHECKS)
    ]
    checks.append(
        CheckResult(
            "load.read",
            CheckStatus.PASS,
            critical=True,
            evidence={"latencies_ms": [5.0, 12.5, 40.0, 41.0, 480.0], "p95_ms": 480.0},
            n=5,
            threshold="read: p95 < 500 ms",
        )
    )
    checks.append(
        CheckResult(
            "integration::test_<script>alert('x')</script>",
            CheckStatus.SKIP,
            evidence={"weird": {float("nan"), 1}, "inf": float("inf"), "path": Path("/x")},
        )
    )
    checks.extend(CheckResult(f"integration::test_{i}", CheckStatus.PASS) for i in range(12))
    return evaluate(checks)


def test_json_report_carries_verdict_checks_rules_and_chart_data() -> None:
    verdict = no_go_verdict()

    doc = json.loads(render_json(verdict, meta=META))

    assert doc["schema"] == SCHEMA
    assert doc["meta"] == META
    assert doc["verdict"] == "NO-GO"
    assert doc["exit_code"] == 1
    assert doc["reasons"][0] == f"critical check failed: {WEBSOCKET_ROUND_TRIP}"
    assert doc["rules"]["pass_rate_must_exceed"] == 0.95
    assert len(doc["checks"]) == len(verdict.results)
    ws = next(c for c in doc["checks"] if c["name"] == WEBSOCKET_ROUND_TRIP)
    assert ws == {
        "name": WEBSOCKET_ROUND_TRIP,
        "status": "FAIL",
        "critical": True,  # by the rules, although the check did not flag itself
        "evidence": {"reason": "signature verification failed"},
        "duration_s": 0.25,
        "n": 1,
        "threshold": "reply within 5 s",
    }
    hist = doc["charts"]["latency_histogram"]
    assert hist["source"] == "evidence.latencies_ms"
    assert sum(b["count"] for b in hist["bins"]) == hist["n"] == 5
    groups = {g["group"]: g for g in doc["charts"]["pass_rate_by_group"]}
    assert groups["all"]["executed"] == doc["counts"]["executed"]
    assert groups["websocket"]["pass_rate"] == 0.0
    assert groups["integration"]["skipped"] == 1


def test_json_report_survives_values_json_cannot_hold() -> None:
    text = render_json(no_go_verdict(), meta=META)  # allow_nan=False inside: would raise

    weird = next(
        c for c in json.loads(text)["checks"] if c["name"].startswith("integration::test_<")
    )
    assert weird["evidence"]["inf"] == "inf"
    assert weird["evidence"]["path"] == "/x"
    assert sorted(weird["evidence"]["weird"], key=str) == sorted([1, "nan"], key=str)


def test_json_report_is_deterministic() -> None:
    verdict = no_go_verdict()

    assert render_json(verdict, meta=META) == render_json(verdict, meta=META)


def test_html_report_shows_verdict_reasons_thresholds_and_every_check() -> None:
    verdict = no_go_verdict()

    page = render_html(verdict, meta=META)

    assert page.startswith("<!DOCTYPE html>")
    assert "NO-GO" in page
    assert f"critical check failed: {WEBSOCKET_ROUND_TRIP}" in page
    assert "pass rate must exceed</th><td>95 %" in page
    assert "minimum executed checks</th><td>20" in page
    assert "signature verification failed" in page
    assert "reply within 5 s" in page
    assert "read: p95 &lt; 500 ms" in page
    assert "abc1234" in page
    for result in verdict.results:
        if "<" not in result.name:
            assert f"<td>{result.name}</td>" in page


def test_html_report_has_both_charts_inline() -> None:
    page = render_html(no_go_verdict(), meta=META)

    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(svgs) == 2
    assert any("Pass rate by group (must exceed 95 %)" in s for s in svgs)
    assert any("Latency (ms)" in s and "n=5" in s for s in svgs)
    assert "stroke-dasharray" in page  # the threshold line


def test_html_report_is_self_contained_and_escaped() -> None:
    page = render_html(no_go_verdict(), meta=META)

    assert "<script" not in page
    assert "&lt;script&gt;" in page
    for external in ("src=", "href=", "@import", "url(", "<link"):
        assert external not in page
    # the only URL is the SVG namespace identifier, which is never fetched
    assert set(re.findall(r"https?://[^\"' <]+", page)) == {"http://www.w3.org/2000/svg"}


def test_go_report_renders_too(tmp_path: Path) -> None:
    checks = [CheckResult(n, CheckStatus.PASS, duration=0.1) for n in SERVICE_CRITICAL_CHECKS]
    checks += [CheckResult(f"suite.{i}", CheckStatus.PASS, duration=0.01 * i) for i in range(20)]
    verdict = evaluate(checks)

    html_path = write_html(verdict, tmp_path / "report" / "gate.html", meta=META)
    json_path = write_json(verdict, tmp_path / "report" / "gate.json", meta=META)

    assert "GO" in html_path.read_text(encoding="utf-8")
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["verdict"] == "GO"
    assert doc["charts"]["latency_histogram"]["source"] == "check durations"
    assert report_document(verdict, meta=META) == doc


def test_empty_verdict_renders() -> None:
    page = render_html(evaluate([]))

    assert "ERROR" in page
    assert "no latency data" in page


def test_histogram_bins_cover_every_value() -> None:
    data = histogram([0.0, 1.0, 99.0, 100.0, 250.0], source="t")

    assert data.n == 5
    assert sum(b.count for b in data.bins) == 5
    assert data.bins[0].lo == 0
    assert data.bins[-1].hi > 250.0
    widths = {round(b.hi - b.lo, 9) for b in data.bins}
    assert len(widths) == 1


def test_latency_histogram_falls_back_to_durations() -> None:
    data = latency_histogram([CheckResult("a", CheckStatus.PASS, duration=0.5)])

    assert data.source == "check durations"
    assert data.n == 1


def test_pass_rates_group_by_name_prefix() -> None:
    rates = pass_rates(
        [
            CheckResult("liveness.web", CheckStatus.PASS),
            CheckResult("liveness.beat", CheckStatus.FAIL),
            CheckResult("integration::test_a", CheckStatus.ERROR),
        ]
    )

    assert [(r.group, r.passed, r.executed, r.errored) for r in rates] == [
        ("all", 1, 2, 1),
        ("integration", 0, 0, 1),
        ("liveness", 1, 2, 0),
    ]
    assert group_of("load.read") == "load"
