"""The gate report as JSON: the verdict, its arithmetic and rules, every check, and chart data.

This document is what CI archives and what the HTML report is drawn from. It is deterministic for
a given verdict and ``meta`` (the caller passes the time, target and commit in ``meta``), and
always valid JSON: evidence values that JSON cannot hold (NaN, sets, paths, fractions) are
converted rather than allowed to break the report at the last step of a cutover.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from verification.gate import GateVerdict
from verification.report.charts import latency_histogram, pass_rates

SCHEMA: Final = "rgms.gate-report/1"


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of ``value`` (non-finite floats and unknown objects become strings)."""
    if isinstance(value, Enum):
        return jsonable(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    return str(value)


def report_document(
    verdict: GateVerdict, *, meta: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    checks = []
    for result in verdict.results:
        entry = result.to_dict()
        # Critical as the gate saw it: by the check's own flag or by the rules' list.
        entry["critical"] = verdict.is_critical(result)
        checks.append(entry)
    doc = {
        "schema": SCHEMA,
        "meta": dict(meta or {}),
        **verdict.to_dict(),
        "checks": checks,
        "charts": {
            "latency_histogram": latency_histogram(verdict.results).to_dict(),
            "pass_rate_by_group": [g.to_dict() for g in pass_rates(verdict.results)],
        },
    }
    return jsonable(doc)  # type: ignore[no-any-return]


def render_json(verdict: GateVerdict, *, meta: Mapping[str, Any] | None = None) -> str:
    """The report as indented JSON text."""
    return json.dumps(report_document(verdict, meta=meta), indent=2, allow_nan=False) + "\n"


def write_json(verdict: GateVerdict, path: Path, *, meta: Mapping[str, Any] | None = None) -> Path:
    """Write the JSON report (atomically: a reader never sees half a report)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_json(verdict, meta=meta), encoding="utf-8")
    tmp.replace(path)
    return path
