"""Chart data and inline SVG for the gate report: a latency histogram and pass rates per group.

The data functions are shared by the JSON report (which carries the numbers) and the HTML report
(which draws them), so the picture and the numbers cannot disagree. The SVG is self-contained:
no scripts, no fonts or stylesheets from elsewhere, every text escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final
from xml.sax.saxutils import escape

from verification.gate import CheckResult, CheckStatus

LATENCY_EVIDENCE_KEY: Final = "latencies_ms"
_GROUP_SPLIT: Final = re.compile(r"[.:/]")
_GREEN, _RED, _GREY, _INK = "#1a7f37", "#cf222e", "#8c959f", "#1f2328"


# --- latency histogram --------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """One histogram bar: ``lo <= value < hi`` (the last bin also holds its upper edge)."""

    lo: float
    hi: float
    count: int


@dataclass(frozen=True)
class Histogram:
    """Counts of latencies in equal-width bins, and where the values came from."""

    source: str
    n: int
    bins: tuple[Bin, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready histogram."""
        return {
            "source": self.source,
            "n": self.n,
            "bins": [{"lo": b.lo, "hi": b.hi, "count": b.count} for b in self.bins],
        }


def _nice_width(span: float, bins: int) -> float:
    # 1, 2 or 5 times a power of ten, so the axis reads 0, 50, 100 ... rather than 0, 47.3 ...
    raw = span / bins
    magnitude: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def histogram(values: Sequence[float], *, source: str, max_bins: int = 20) -> Histogram:
    """Equal-width bins from 0 covering every value; empty input gives no bins."""
    finite = [v for v in values if math.isfinite(v) and v >= 0]
    if not finite:
        return Histogram(source, 0, ())
    top = max(finite)
    count = min(max_bins, max(5, math.ceil(math.sqrt(len(finite)))))
    width = _nice_width(top, count) if top > 0 else 1.0
    bins = max(1, math.floor(top / width) + 1)
    counts = [0] * bins
    for value in finite:
        counts[min(bins - 1, int(value // width))] += 1
    return Histogram(
        source,
        len(finite),
        tuple(Bin(i * width, (i + 1) * width, c) for i, c in enumerate(counts)),
    )


def latency_histogram(results: Iterable[CheckResult]) -> Histogram:
    """Raw latencies from checks' ``evidence["latencies_ms"]``; else the checks' own durations."""
    checks = list(results)
    latencies: list[float] = []
    for check in checks:
        values = check.evidence.get(LATENCY_EVIDENCE_KEY)
        if isinstance(values, list | tuple):
            latencies.extend(
                float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
            )
    if latencies:
        return histogram(latencies, source=f"evidence.{LATENCY_EVIDENCE_KEY}")
    return histogram([c.duration * 1000 for c in checks], source="check durations")


# --- pass rate per group ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRate:
    """Pass rate of one group of checks (by name prefix) or of all of them."""

    group: str
    passed: int
    executed: int
    skipped: int
    errored: int

    @property
    def rate(self) -> Fraction | None:
        """passed / executed, or None if nothing ran."""
        return Fraction(self.passed, self.executed) if self.executed else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready group figures."""
        rate = self.rate
        return {
            "group": self.group,
            "passed": self.passed,
            "executed": self.executed,
            "skipped": self.skipped,
            "errored": self.errored,
            "pass_rate": None if rate is None else float(rate),
        }


def group_of(name: str) -> str:
    """A check's group: its name up to the first ``.``, ``:`` or ``/``."""
    return _GROUP_SPLIT.split(name, maxsplit=1)[0] or name


def _rate(group: str, checks: Sequence[CheckResult]) -> GroupRate:
    statuses = [c.status for c in checks]
    passed = statuses.count(CheckStatus.PASS)
    return GroupRate(
        group=group,
        passed=passed,
        executed=passed + statuses.count(CheckStatus.FAIL),
        skipped=statuses.count(CheckStatus.SKIP),
        errored=statuses.count(CheckStatus.ERROR),
    )


def pass_rates(results: Iterable[CheckResult]) -> list[GroupRate]:
    """The overall rate ("all") first, then one per group in name order."""
    checks = list(results)
    groups: dict[str, list[CheckResult]] = {}
    for check in checks:
        groups.setdefault(group_of(check.name), []).append(check)
    return [_rate("all", checks), *(_rate(g, groups[g]) for g in sorted(groups))]


# --- SVG ----------------------------------------------------------------------------------


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
        f' fill="{_INK}">{escape(content)}</text>'
    )


def histogram_svg(data: Histogram, *, title: str = "Latency (ms)") -> str:
    """Vertical bars, one per bin, with the range under the first, middle and last bars."""
    width, height, left, bottom, top = 560, 220, 40, 30, 24
    plot_w, plot_h = width - left - 10, height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        _text(left, 16, f"{title} · n={data.n} · source: {data.source}", size=12),
    ]
    if not data.bins:
        parts.append(_text(width / 2, height / 2, "no latency data", anchor="middle"))
        parts.append("</svg>")
        return "".join(parts)
    peak = max(b.count for b in data.bins) or 1
    bar_w = plot_w / len(data.bins)
    for i, b in enumerate(data.bins):
        h = plot_h * b.count / peak
        x, y = left + i * bar_w, top + plot_h - h
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}"'
            f' fill="{_GREY}"><title>{escape(f"{b.lo:g}-{b.hi:g} ms: {b.count}")}</title></rect>'
        )
    parts.append(_text(left - 4, top + 8, str(peak), anchor="end"))
    parts.append(_text(left - 4, top + plot_h, "0", anchor="end"))
    axis_y = top + plot_h + 14
    parts.extend(
        _text(left + (i + 0.5) * bar_w, axis_y, f"{data.bins[i].lo:g}", anchor="middle")
        for i in sorted({0, len(data.bins) // 2, len(data.bins) - 1})
    )
    parts.append(_text(left + plot_w, axis_y + 12, f"max {data.bins[-1].hi:g} ms", anchor="end"))
    parts.append("</svg>")
    return "".join(parts)


def pass_rate_svg(rates: Sequence[GroupRate], *, threshold: Fraction) -> str:
    """Horizontal bars of pass rate per group, with the gate's threshold as a dashed line."""
    row, left, right, top = 22, 110, 170, 26
    width = 640
    plot_w = width - left - right
    height = top + row * max(len(rates), 1) + 10
    limit_x = left + plot_w * float(threshold)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="Pass rate by group">',
        _text(left, 16, f"Pass rate by group (must exceed {float(threshold) * 100:g} %)", size=12),
    ]
    for i, g in enumerate(rates):
        y = top + i * row
        rate = g.rate
        parts.append(_text(left - 6, y + 14, g.group, anchor="end"))
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{plot_w}" height="{row - 6}" fill="#f6f8fa"'
            ' stroke="#d0d7de"/>'
        )
        if rate is not None:
            colour = _GREEN if rate > threshold else _RED
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{plot_w * float(rate):.1f}"'
                f' height="{row - 6}" fill="{colour}"/>'
            )
        label = (
            "not run" if rate is None else f"{g.passed}/{g.executed} ({float(rate) * 100:.1f} %)"
        )
        extras = [f"{g.skipped} skipped"] * bool(g.skipped) + [f"{g.errored} errors"] * bool(
            g.errored
        )
        parts.append(_text(left + plot_w + 6, y + 14, ", ".join([label, *extras])))
    parts.append(
        f'<line x1="{limit_x:.1f}" y1="{top}" x2="{limit_x:.1f}" y2="{height - 8}"'
        f' stroke="{_INK}" stroke-dasharray="4 3"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
