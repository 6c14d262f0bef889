"""Unit tests of the JSON, CSV and HTML result files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from loadtests.common.results import CSV_COLUMNS, render_csv, render_html, write_results
from loadtests.common.thresholds import (
    CacheStats,
    EndpointSamples,
    LoadResult,
    RequestClass,
    evaluate_run,
)


def _result() -> LoadResult:
    return evaluate_run(
        [
            EndpointSamples("/api/v1/auth/me", "GET", RequestClass.READ, [10.0] * 300, 0),
            EndpointSamples(
                "/api/v1/attendance/", "POST", RequestClass.WRITE, [100.0] * 189 + [2050.0] * 11, 3
            ),
            EndpointSamples("<script>alert(1)</script>", "GET", RequestClass.READ, [1.0], 0),
        ],
        duration_s=60.0,
        cache=CacheStats(hits=8, misses=2),
        run={"host": "http://127.0.0.1:8000"},
    )


def test_csv_has_a_row_per_endpoint_and_per_class() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(_result()))))

    assert tuple(rows[0]) == CSV_COLUMNS
    endpoints = [r for r in rows if r["kind"] == "endpoint"]
    classes = {r["class"]: r for r in rows if r["kind"] == "class"}
    assert len(endpoints) == 3
    assert classes["write"]["verdict"] == "BREACH"
    assert classes["write"]["p95_ms"] == "2050.0"
    assert classes["read"]["count"] == "301"
    attendance = next(r for r in endpoints if r["name"] == "/api/v1/attendance/")
    assert attendance["failures"] == "3"
    assert attendance["verdict"] == ""


def test_html_is_self_contained_and_escaped() -> None:
    page = render_html(_result())

    assert "BREACH" in page
    assert "2050 ms is not below 2000 ms" in page
    assert "80.0 %" in page  # cache hit rate
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "http" not in page.replace("http://127.0.0.1:8000", "")  # no external assets


def test_write_results_writes_three_consistent_files(tmp_path: Path) -> None:
    result = _result()

    paths = write_results(result, tmp_path / "out", "load-read-write")

    assert paths.json == tmp_path / "out" / "load-read-write.json"
    doc = json.loads(paths.json.read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(result.to_dict()))
    assert doc["verdict"] == "BREACH"
    assert doc["exit_code"] == 1
    assert paths.csv.read_text(encoding="utf-8").startswith("kind,class,")
    assert paths.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list((tmp_path / "out").glob("*.tmp"))
