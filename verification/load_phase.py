"""Turn a load run's JSON result into gate checks, without restating the load budgets.

The load run (``loadtests``) judges itself against its own budgets and writes its verdict per
request class; the gate takes that verdict as given and only maps it onto check statuses:

=================  ===========  =====================================================
load class          check        why
=================  ===========  =====================================================
PASS               PASS
BREACH             FAIL         the budget was missed
INCONCLUSIVE       SKIP         too little data: never a pass (the check is critical,
                                so the gate cannot say GO)
run TOOL_ERROR     ERROR        the load tool broke; nothing is known
unreadable file    ERROR        same
=================  ===========  =====================================================

Every load check is critical (``LOAD_CHECKS_CRITICAL``): a load phase that ran and breached must
stop the cutover whatever the overall pass rate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from loadtests.common.thresholds import SCHEMA as LOAD_RESULT_SCHEMA
from verification.gate import CheckResult, CheckStatus
from verification.thresholds import LOAD_CHECK_PREFIX, LOAD_CHECKS_CRITICAL

RUN_CHECK: Final = f"{LOAD_CHECK_PREFIX}run"

_STATUS: Final = {
    "PASS": CheckStatus.PASS,
    "BREACH": CheckStatus.FAIL,
    "INCONCLUSIVE": CheckStatus.SKIP,
}
_RUN_VERDICTS: Final = frozenset({"PASS", "BREACH", "INCONCLUSIVE", "TOOL_ERROR"})
_FIGURES: Final = (
    "count",
    "failures",
    "error_ratio",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "rps",
    "scope",
)


def _error(reason: str, source: str) -> list[CheckResult]:
    return [
        CheckResult(
            RUN_CHECK,
            CheckStatus.ERROR,
            critical=LOAD_CHECKS_CRITICAL,
            evidence={"reason": reason, "source": source},
        )
    ]


def _threshold_text(doc: Mapping[str, Any], load_class: str, class_doc: Mapping[str, Any]) -> str:
    # Worded from the run's own document: the numbers are the load run's, not restated here.
    thresholds = doc.get("thresholds", {})
    parts = []
    if (p95 := class_doc.get("p95_ms_below")) is not None and class_doc.get("scope") == "full":
        parts.append(f"p95 < {p95:g} ms")
    if (ratio := thresholds.get("error_ratio_below")) is not None:
        parts.append(f"errors < {ratio * 100:g} %")
    if (n := thresholds.get("min_samples_per_class")) is not None and class_doc.get(
        "scope"
    ) == "full":
        parts.append(f"n >= {n}")
    return f"{load_class}: " + ", ".join(parts) if parts else load_class


def checks_from_load_result(doc: Any, *, source: str = "") -> list[CheckResult]:
    """One critical check per request class in the document (``load.read``, ``load.write``)."""
    if not isinstance(doc, Mapping):
        return _error("load result is not a JSON object", source)
    if doc.get("schema") != LOAD_RESULT_SCHEMA:
        return _error(
            f"load result schema {doc.get('schema')!r}, expected {LOAD_RESULT_SCHEMA!r}", source
        )
    verdict = doc.get("verdict")
    classes = doc.get("classes")
    if verdict not in _RUN_VERDICTS or not isinstance(classes, Mapping):
        return _error("load result lacks a known verdict or its classes", source)
    if verdict == "TOOL_ERROR":
        reasons = doc.get("reasons") or doc.get("tool_errors") or ["tool error"]
        return _error("load tool error: " + "; ".join(map(str, reasons)), source)

    checks: list[CheckResult] = []
    for load_class, class_doc in sorted(classes.items()):
        if not isinstance(class_doc, Mapping) or class_doc.get("verdict") not in _STATUS:
            return _error(f"load result class {load_class!r} is malformed", source)
        evidence = {k: class_doc.get(k) for k in _FIGURES}
        evidence["reasons"] = list(class_doc.get("reasons", []))
        evidence["source"] = source
        if class_doc["verdict"] == "INCONCLUSIVE":
            evidence["reason"] = "load class inconclusive: too few samples"
        checks.append(
            CheckResult(
                f"{LOAD_CHECK_PREFIX}{load_class}",
                _STATUS[class_doc["verdict"]],
                critical=LOAD_CHECKS_CRITICAL,
                evidence=evidence,
                duration=float(doc.get("duration_s") or 0.0),
                n=class_doc.get("count") if isinstance(class_doc.get("count"), int) else None,
                threshold=_threshold_text(doc, load_class, class_doc),
            )
        )

    # The run's own verdict must agree with its classes; if not, trust neither.
    worst = {c.status for c in checks}
    implied = (
        "BREACH"
        if CheckStatus.FAIL in worst
        else "INCONCLUSIVE"
        if CheckStatus.SKIP in worst or not checks
        else "PASS"
    )
    if implied != verdict:
        return _error(f"load verdict {verdict} disagrees with its classes ({implied})", source)
    return checks


def read_load_result(path: Path) -> list[CheckResult]:
    """Checks from a load result file; a missing or unreadable file is an ERROR check."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _error("no load result file (did the load phase run?)", str(path))
    except (OSError, json.JSONDecodeError) as exc:
        return _error(f"unreadable load result: {exc}", str(path))
    return checks_from_load_result(doc, source=str(path))
