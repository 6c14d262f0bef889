"""The gate report as one self-contained HTML page for the person running the cutover.

Drawn from the JSON report document, so both say the same. Inline CSS and inline SVG charts only:
no scripts, no external stylesheets, fonts or images, nothing fetched over the network, so the
file can be archived and opened anywhere. Every value from checks is escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from verification.gate import GateVerdict
from verification.report.charts import Bin, GroupRate, Histogram, histogram_svg, pass_rate_svg
from verification.report.json import report_document

_VERDICT_COLOURS: Final = {
    "GO": "#1a7f37",
    "NO-GO": "#cf222e",
    "INCONCLUSIVE": "#9a6700",
    "ERROR": "#8250df",
}
_STATUS_COLOURS: Final = {
    "PASS": "#1a7f37",
    "FAIL": "#cf222e",
    "SKIP": "#9a6700",
    "ERROR": "#8250df",
}

_CSS: Final = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;max-width:80rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right}
.badge{color:#fff;padding:.15rem .5rem;border-radius:.3rem;font-weight:bold}
.verdict{font-size:1.6rem}
pre{margin:0;white-space:pre-wrap;max-width:50rem}
tr.critical td:first-child{font-weight:bold}
"""


def _badge(label: str, colour: str, cls: str = "badge") -> str:
    return f"<span class='{cls}' style='background:{colour}'>{html.escape(label)}</span>"


def _histogram_from(doc: Mapping[str, Any]) -> Histogram:
    data = doc["charts"]["latency_histogram"]
    bins = tuple(Bin(b["lo"], b["hi"], b["count"]) for b in data["bins"])
    return Histogram(data["source"], data["n"], bins)


def _rates_from(doc: Mapping[str, Any]) -> list[GroupRate]:
    return [
        GroupRate(g["group"], g["passed"], g["executed"], g["skipped"], g["errored"])
        for g in doc["charts"]["pass_rate_by_group"]
    ]


def _check_row(check: Mapping[str, Any]) -> str:
    e = html.escape
    status = check["status"]
    evidence = json.dumps(check["evidence"], indent=2, sort_keys=True)
    n = "" if check["n"] is None else str(check["n"])
    threshold = "" if check["threshold"] is None else str(check["threshold"])
    critical = "yes" if check["critical"] else ""
    row_class = " class='critical'" if check["critical"] else ""
    return (
        f"<tr{row_class}><td>{e(check['name'])}</td>"
        f"<td>{_badge(status, _STATUS_COLOURS.get(status, '#57606a'))}</td>"
        f"<td>{critical}</td><td class='num'>{e(n)}</td><td>{e(threshold)}</td>"
        f"<td class='num'>{check['duration_s']:.3f}</td>"
        f"<td><details><summary>evidence</summary><pre>{e(evidence)}</pre></details></td></tr>"
    )


def render_html(
    verdict: GateVerdict,
    *,
    meta: Mapping[str, Any] | None = None,
    title: str = "RGMS cutover gate",
) -> str:
    """The report page."""
    e = html.escape
    doc = report_document(verdict, meta=meta)
    counts = doc["counts"]
    rate = doc["pass_rate"]
    rate_text = "n/a" if rate is None else f"{rate * 100:.2f} %"
    rules = doc["rules"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(title)}: {e(doc['verdict'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{_badge(doc['verdict'], _VERDICT_COLOURS[doc['verdict']], 'badge verdict')}"
        f" exit status {doc['exit_code']}</p>",
        "<h2>Reasons</h2><ul>",
        *(f"<li>{e(r)}</li>" for r in doc["reasons"]),
        "</ul>",
        "<h2>Summary</h2><table>",
        f"<tr><th>pass rate</th><td class='num'>{e(rate_text)}"
        f" ({counts['passed']}/{counts['executed']})</td></tr>",
        *(f"<tr><th>{e(k)}</th><td class='num'>{v}</td></tr>" for k, v in counts.items()),
        "</table>",
        "<h2>Thresholds</h2><table>",
        f"<tr><th>pass rate must exceed</th><td>{rules['pass_rate_must_exceed'] * 100:g} %"
        f" ({e(rules['pass_rate_comparison'])})</td></tr>",
        f"<tr><th>minimum executed checks</th><td>{rules['min_executed_checks']}</td></tr>",
        "<tr><th>required critical checks</th><td>"
        + e(", ".join(rules["required_critical_checks"]) or "none")
        + "</td></tr></table>",
    ]
    if doc["meta"]:
        parts.append("<h2>Run</h2><table>")
        parts.extend(
            f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in doc["meta"].items()
        )
        parts.append("</table>")
    parts.append("<h2>Charts</h2>")
    rate_chart = pass_rate_svg(_rates_from(doc), threshold=verdict.rules.pass_rate_must_exceed)
    parts.append(f"<figure>{rate_chart}</figure>")
    parts.append(f"<figure>{histogram_svg(_histogram_from(doc))}</figure>")
    parts.append(
        "<h2>Checks</h2><table><tr><th>check</th><th>status</th><th>critical</th><th>n</th>"
        "<th>threshold</th><th>duration s</th><th>evidence</th></tr>"
    )
    parts.extend(_check_row(c) for c in doc["checks"])
    parts.append("</table></body></html>\n")
    return "".join(parts)


def write_html(verdict: GateVerdict, path: Path, *, meta: Mapping[str, Any] | None = None) -> Path:
    """Write the HTML report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(verdict, meta=meta), encoding="utf-8")
    return path
