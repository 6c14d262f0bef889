"""A load result written as JSON (for CI and the gate), CSV (spreadsheets) and HTML (people).

All three are rendered from the same ``LoadResult``, so they cannot disagree. The HTML page is
self-contained (inline CSS, no scripts, no external assets) so it can be archived as a CI artifact.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from loadtests.common.thresholds import LoadResult, LoadVerdict

CSV_COLUMNS: Final = (
    "kind",
    "class",
    "method",
    "name",
    "count",
    "failures",
    "error_ratio",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "min_ms",
    "max_ms",
    "mean_ms",
    "rps",
    "verdict",
)


@dataclass(frozen=True)
class ResultPaths:
    """Where a run's result files were written."""

    json: Path
    csv: Path
    html: Path


def render_json(result: LoadResult) -> str:
    """The result document, indented and key-sorted for stable diffs."""
    return json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"


def render_csv(result: LoadResult) -> str:
    """One row per endpoint, then one aggregate row per class."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for endpoint in result.endpoints:
        row = {"kind": "endpoint", **endpoint.to_dict(), "verdict": ""}
        writer.writerow({k: _cell(row.get(k)) for k in CSV_COLUMNS})
    for verdict in result.classes:
        data = verdict.to_dict()
        row = {"kind": "class", "class": verdict.load_class.value, "method": "", "name": "*"}
        row |= {k: data.get(k) for k in CSV_COLUMNS if k in data}
        writer.writerow({k: _cell(row.get(k)) for k in CSV_COLUMNS})
    return buffer.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


_COLOURS: Final = {
    LoadVerdict.PASS: "#1a7f37",
    LoadVerdict.BREACH: "#cf222e",
    LoadVerdict.INCONCLUSIVE: "#9a6700",
    LoadVerdict.TOOL_ERROR: "#8250df",
}

_CSS: Final = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child,td.l{text-align:left}
.badge{color:#fff;padding:.2rem .6rem;border-radius:.3rem;font-weight:bold}
"""


def render_html(result: LoadResult) -> str:
    """A self-contained page: verdict, reasons, thresholds, per-class and per-endpoint tables."""
    e = html.escape
    doc = result.to_dict()
    colour = _COLOURS[result.verdict]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>RGMS load result: {e(result.verdict.value)}</title><style>{_CSS}</style>",
        "</head><body>",
        f"<h1>Load result <span class='badge' style='background:{colour}'>"
        f"{e(result.verdict.value)}</span> (exit {int(result.exit_code)})</h1>",
        "<h2>Reasons</h2><ul>",
        *(f"<li>{e(r)}</li>" for r in result.reasons),
        "</ul><h2>Thresholds</h2><pre>",
        e(json.dumps(doc["thresholds"], indent=2)),
        "</pre><h2>Classes</h2>",
        "<table><tr><th>class</th><th>verdict</th><th>scope</th><th>count</th><th>failures</th>"
        "<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>p95 limit ms</th><th>req/s</th></tr>",
    ]
    for name, c in doc["classes"].items():
        parts.append(
            f"<tr><td>{e(name)}</td><td class='l'>{e(c['verdict'])}</td>"
            f"<td class='l'>{e(c['scope'])}</td><td>{c['count']}</td><td>{c['failures']}</td>"
            f"<td>{_num(c['p50_ms'])}</td><td>{_num(c['p95_ms'])}</td><td>{_num(c['p99_ms'])}</td>"
            f"<td>{_num(c['p95_ms_below'])}</td><td>{_num(c['rps'])}</td></tr>"
        )
    parts.append(
        "</table><h2>Endpoints</h2><table><tr><th>name</th><th>method</th><th>class</th>"
        "<th>count</th><th>failures</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th>"
        "<th>max ms</th><th>req/s</th></tr>"
    )
    parts.extend(
        f"<tr><td>{e(row['name'])}</td><td class='l'>{e(row['method'])}</td>"
        f"<td class='l'>{e(row['class'])}</td><td>{row['count']}</td><td>{row['failures']}</td>"
        f"<td>{_num(row['p50_ms'])}</td><td>{_num(row['p95_ms'])}</td>"
        f"<td>{_num(row['p99_ms'])}</td><td>{_num(row['max_ms'])}</td>"
        f"<td>{_num(row['rps'])}</td></tr>"
        for row in doc["endpoints"]
    )
    parts.append("</table>")
    cache = doc["cache"]
    if cache is not None:
        rate = cache["hit_rate"]
        shown = "n/a" if rate is None else f"{rate * 100:.1f} %"
        parts.append(
            f"<p>Server cache hit rate: {e(shown)} ({cache['hits']} hits, {cache['misses']} misses)"
            "</p>"
        )
    else:
        parts.append("<p>Server cache hit rate: not collected.</p>")
    parts.append(f"<h2>Run</h2><pre>{e(json.dumps(doc['run'], indent=2, sort_keys=True))}</pre>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_results(result: LoadResult, directory: Path, stem: str) -> ResultPaths:
    """Write ``<stem>.json``, ``<stem>.csv`` and ``<stem>.html`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = ResultPaths(
        json=directory / f"{stem}.json",
        csv=directory / f"{stem}.csv",
        html=directory / f"{stem}.html",
    )
    # JSON last: a reader polling for it then finds the other two already complete.
    paths.csv.write_text(render_csv(result), encoding="utf-8")
    paths.html.write_text(render_html(result), encoding="utf-8")
    tmp = paths.json.with_suffix(".json.tmp")
    tmp.write_text(render_json(result), encoding="utf-8")
    tmp.replace(paths.json)
    return paths
