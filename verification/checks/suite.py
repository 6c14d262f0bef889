"""The integration suite run against the target, each test turned into a check.

``pytest verification/tests/integration -m target --target-url ... --ws-url ... --accounts ...``
runs in a subprocess (bounded: each test by pytest-timeout, the whole run by a wall-clock
limit) with :mod:`verification.checks.suite_plugin` writing per-test JSON and JUnit XML beside
it for CI. Each test becomes ``suite.<module>.<test>``: passed PASS, failed or errored FAIL,
skipped SKIP (its reason), an expected failure SKIP naming the known gap, an unexpected pass
FAIL (the test's expectation is out of date). Tests marked ``critical`` are critical checks.
A run that crashed, timed out, or collected nothing is one ERROR check, ``suite.run``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

from verification.gate import CheckResult, CheckStatus
from verification.infra.processes import REPO_ROOT
from verification.targets.base import Target, write_accounts
from verification.thresholds import WEBSOCKET_ROUND_TRIP

SUITE_DIR: Final = "verification/tests/integration"
SUITE_MARKER: Final = "target"
RUN_CHECK: Final = "suite.run"
PER_TEST_TIMEOUT_S: Final = 90
SUITE_TIMEOUT_S: Final = 900.0
_STATUS: Final = {
    "passed": CheckStatus.PASS,
    "failed": CheckStatus.FAIL,
    "error": CheckStatus.FAIL,
    "skipped": CheckStatus.SKIP,
    "xfailed": CheckStatus.SKIP,
    "xpassed": CheckStatus.FAIL,
}


def _error(reason: str, **evidence: Any) -> list[CheckResult]:
    return [CheckResult(RUN_CHECK, CheckStatus.ERROR, evidence={"reason": reason, **evidence})]


def suite_command(target: Target, out_dir: Path, *extra: str) -> list[str]:
    accounts = write_accounts(out_dir / "suite-accounts.json", target.accounts)
    command = [
        sys.executable,
        "-m",
        "pytest",
        SUITE_DIR,
        "-m",
        SUITE_MARKER,
        "-p",
        "verification.checks.suite_plugin",
        "-p",
        "no:cacheprovider",
        "--suite-results",
        str(out_dir / "suite-results.json"),
        "--junitxml",
        str(out_dir / "suite-junit.xml"),
        "--timeout",
        str(PER_TEST_TIMEOUT_S),
        "-q",
        "--target-url",
        target.web_url,
        "--ws-url",
        target.ws_url,
        "--accounts",
        str(accounts),
    ]
    if target.broker_url:
        command += ["--broker-url", target.broker_url]
    if WEBSOCKET_ROUND_TRIP in target.limitations:
        command += ["--no-channel-layer", target.limitations[WEBSOCKET_ROUND_TRIP]]
    return command + list(extra)


def checks_from_results(doc: Any, *, source: str = "") -> list[CheckResult]:
    if not isinstance(doc, dict) or doc.get("schema") != "rgms.suite-results/1":
        return _error("the suite wrote no readable results", source=source)
    tests = doc.get("tests") or []
    if not tests:
        return _error(
            f"the suite ran no tests (pytest exit status {doc.get('exitstatus')})", source=source
        )
    results = []
    for test in tests:
        status = _STATUS.get(str(test.get("outcome")), CheckStatus.ERROR)
        evidence: dict[str, Any] = {"nodeid": test.get("nodeid"), "outcome": test.get("outcome")}
        if test.get("doc"):
            evidence["what"] = test["doc"]
        message = str(test.get("message") or "")
        if status is not CheckStatus.PASS and message:
            lines = message.strip().splitlines()
            # An expected failure's reason is its first line; a failure's is its last.
            first = str(test.get("outcome")) in ("xfailed", "xpassed")
            evidence["reason"] = (lines[0] if first else lines[-1])[:500]
            evidence["detail"] = message
        duration = float(test.get("duration_s") or 0.0)
        evidence["latencies_ms"] = [round(duration * 1000, 1)]
        results.append(
            CheckResult(
                f"suite.{test['name']}",
                status,
                critical=bool(test.get("critical")),
                evidence=evidence,
                duration=duration,
                n=1,
                threshold="test passes against the target",
            )
        )
    if doc.get("exitstatus") not in (0, 1):
        results.append(
            CheckResult(
                RUN_CHECK,
                CheckStatus.ERROR,
                evidence={
                    "reason": f"pytest ended with exit status {doc.get('exitstatus')} "
                    "(interrupted or internal error)",
                    "source": source,
                },
            )
        )
    return results


def run_suite(
    target: Target, out_dir: Path, *, timeout: float = SUITE_TIMEOUT_S
) -> list[CheckResult]:
    """Run the suite against ``target``; every test a check (see the module docstring)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / "suite-results.json"
    results_path.unlink(missing_ok=True)
    command = suite_command(target, out_dir)
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite talks to the target only: no local servers of this process leak in.
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST"}
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    log_path = out_dir / "suite-output.txt"
    started = time.perf_counter()
    try:
        with log_path.open("w") as log:
            completed = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
    except subprocess.TimeoutExpired:
        return _error(
            f"the suite did not finish within {timeout:g} s", output=_tail(log_path)
        ) + _partial(results_path)
    seconds = time.perf_counter() - started
    try:
        doc = json.loads(results_path.read_text())
    except (OSError, ValueError):
        return _error(
            f"pytest exited {completed.returncode} without results",
            output=_tail(log_path),
            seconds=round(seconds, 1),
        )
    return checks_from_results(doc, source=str(results_path))


def _partial(path: Path) -> list[CheckResult]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return [r for r in checks_from_results(doc) if r.name != RUN_CHECK]


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""
