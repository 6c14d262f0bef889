"""Every benchmark script runs at a small size and prints its figures.

The benchmarks measure; they do not judge (nothing here asserts a timing). What is asserted is
that each one still starts its servers, drives its load, reports a figure for every scenario
it names and saw no errors, so that the figures quoted in the docs can be reproduced with the
commands there. Sizes are the smallest that still exercise every scenario.
"""

from __future__ import annotations

import json
import pstats
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verification.infra import processes

Check = Callable[[str, Any], None]


def api_throughput(stdout: str, figures: Any) -> None:
    from verification.benchmarks.api_throughput import RATE_TARGETS, SCENARIOS

    assert figures["reference_cpu_ms"] > 0
    assert "machine speed: a fixed Python loop takes" in stdout
    results = {row["scenario"]: row for row in figures["results"]}
    assert set(results) == set(SCENARIOS)
    for row in results.values():
        assert row["requests"] > 0, row
        assert row["rps"] > 0, row
        assert row["errors"] == 0, row
    # every rate target is scaled by the reference read and judged, in the JSON and printed
    scaled = {(row["target"], row["scenario"]): row for row in figures["targets_scaled"]}
    assert set(scaled) == {
        (target, scenario)
        for target, (_, scenarios) in RATE_TARGETS.items()
        for scenario in scenarios
    }
    for row in scaled.values():
        assert 0 < row["low"] < row["high"], row
        assert row["verdict"] in {"meets", "misses", "cannot tell"}, row
        assert f"{row['scenario']} {row['rps']:.0f} req/s, {row['verdict']}" in stdout
    assert "targets scaled to this machine: the reference read does" in stdout
    assert "roster page p95 under 50 ms (not scaled)" in stdout


def api_cpu(stdout: str, figures: Any) -> None:
    from verification.benchmarks.api_cpu import SCENARIOS

    assert figures["reference_cpu_ms"] > 0
    results = {row["scenario"]: row for row in figures["results"]}
    assert set(results) == set(SCENARIOS)
    for row in results.values():
        assert 0 < row["cpu_ms_best"] <= row["cpu_ms_median"], row
    # the writes reach the database; the cached reads do not
    assert results["attendance"]["statements"] > 0
    assert results["grade"]["statements"] > 0
    assert results["profile"]["statements"] == 0
    # --cprofile: one profile per scenario, of the Django handler's calls
    assert len(figures["cprofile"]) == len(SCENARIOS)
    for path in figures["cprofile"]:
        functions = {f"{file}:{name}" for file, _, name in pstats.Stats(path).stats}
        assert any(entry.endswith("handlers/wsgi.py:__call__") for entry in functions), path


def api_cpu_instructions(stdout: str, figures: Any) -> None:
    results = {row["scenario"]: row for row in figures["results"]}
    assert set(results) == {"profile", "attendance"}
    # a cached read runs Django, DRF and two Redis calls: some hundred thousand instructions
    # at the least; a write runs more than a cached read
    assert results["profile"]["instructions"] > 100_000, results
    assert results["attendance"]["instructions"] > results["profile"]["instructions"], results
    for row in results.values():
        assert row["instructions"] == sorted(row["instructions_batches"])[1], row
        assert len(row["instructions_batches"]) == 3, row


def login_throughput(stdout: str, figures: Any) -> None:
    assert figures["phases"]
    for phase in figures["phases"]:
        assert phase["requests"] == 10, phase
        assert phase["unexpected"] == 0, phase


def migration(stdout: str, figures: Any) -> None:
    for scale in (0.05, 0.25):
        steps = {step["name"]: step for step in figures["steps"] if step["scale"] == scale}
        assert set(steps) >= {"seed", "backup", "validate", "export", "import", "verify"}
        assert all(step["rows"] > 0 for step in steps.values()), steps


def observability_overhead(stdout: str, figures: Any) -> None:
    assert "added per request" in stdout


def reports(stdout: str, figures: Any) -> None:
    for kind in ("roster_pdf", "roster_xlsx", "roster_csv"):
        assert f"{kind:12s} rows=  100" in stdout, stdout


def ws_delivery(stdout: str, figures: Any) -> None:
    assert figures["connected"] == figures["sockets"] == 20
    assert figures["delivered"] == figures["notifications"] == 20
    assert figures["missing"] == figures["wrong_socket"] == 0


# "module [label]": (command-line options, check of stdout and the --json figures, writes --json)
BENCHMARKS: dict[str, tuple[str, Check, bool]] = {
    "api_throughput": (
        "--cadets 200 --days 3 --login-cadets 5 --duration 2 --warmup 1 --workers 2",
        api_throughput,
        True,
    ),
    "api_cpu": (
        "--cadets 200 --days 3 --login-cadets 5 --requests 20 --rounds 2 --cprofile {tmp}",
        api_cpu,
        True,
    ),
    "api_cpu instructions": (
        "--cadets 200 --days 3 --login-cadets 5 --requests 20 --scenarios profile,attendance"
        " --instructions",
        api_cpu_instructions,
        True,
    ),
    "login_throughput": ("--users 10 --workers 2", login_throughput, True),
    "migration": ("--small", migration, True),
    "observability_overhead": (
        "--duration 1 --rounds 1 --warmup 0.5 --workers 1",
        observability_overhead,
        False,
    ),
    "reports": ("--cadets 100 --days 3 --repeat 1", reports, False),
    "ws_delivery": ("--sockets 20 --rate 0", ws_delivery, True),
}


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_the_benchmark_runs_small_and_reports_every_figure(
    name: str, tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    args, check, writes_json = BENCHMARKS[name]
    out = tmp_path / "figures.json"
    argv = [
        sys.executable,
        "-m",
        f"verification.benchmarks.{name.split()[0]}",
        *shlex.split(args.format(tmp=tmp_path / "cprofile")),
    ]
    if writes_json:
        argv += ["--json", str(out)]
    run = subprocess.run(
        argv,
        cwd=processes.REPO_ROOT,
        env=processes.clean_env({"DATABASE_URL": postgres_url, "REDIS_URL": redis_url}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    print(run.stdout)  # the figures, in the test log
    check(run.stdout, json.loads(out.read_text()) if writes_json else None)
