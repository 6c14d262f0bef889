"""The optional contract phase: the schemathesis run's JUnit XML, each test case a check.

The contract suite (``contract/``, tox env ``contract``) fuzzes every OpenAPI operation under
every role with zero server errors and zero schema violations as the bar, so every contract
case is critical: one 5xx or schema violation stops the cutover. The gate reads the run's
result; it does not rerun or re-judge it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # our own CI artefact, not untrusted input
from pathlib import Path
from typing import Final

from verification.gate import CheckResult, CheckStatus

PREFIX: Final = "contract."


def read_contract_junit(path: Path) -> list[CheckResult]:
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - a file our own test run wrote
    except FileNotFoundError:
        return [_error(f"no contract result at {path} (did the contract phase run?)")]
    except (OSError, ET.ParseError) as exc:
        return [_error(f"unreadable contract result {path}: {exc}")]
    results = []
    for case in root.iter("testcase"):
        name = f"{PREFIX}{case.get('name')}"
        duration = float(case.get("time") or 0.0)
        failure = case.find("failure")
        error = case.find("error")
        skipped = case.find("skipped")
        evidence = {"classname": case.get("classname"), "source": str(path)}
        if failure is not None or error is not None:
            node = failure if failure is not None else error
            assert node is not None
            evidence["reason"] = (node.get("message") or "failed")[:500]
            status = CheckStatus.FAIL
        elif skipped is not None:
            evidence["reason"] = (skipped.get("message") or "skipped")[:500]
            status = CheckStatus.SKIP
        else:
            status = CheckStatus.PASS
        results.append(
            CheckResult(
                name,
                status,
                critical=True,
                evidence=evidence,
                duration=duration,
                n=1,
                threshold="zero 5xx, zero schema violations",
            )
        )
    if not results:
        return [_error(f"the contract result {path} holds no test cases")]
    return results


def _error(reason: str) -> CheckResult:
    return CheckResult(
        f"{PREFIX}run", CheckStatus.ERROR, critical=True, evidence={"reason": reason}
    )
