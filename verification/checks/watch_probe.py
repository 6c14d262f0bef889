"""The post-cutover watch: probe the target, judge the window, recommend (or run) rollback.

Samples come from the harness's own probes (authenticated reads a cadet makes: what users see;
a 5xx or no answer is an error), judged by :func:`verification.watch.evaluate_window` over the
sliding window of :data:`verification.thresholds.WATCH_RULES` (error rate above 5 % or p95
above 1 s recommends rollback; too few samples is "insufficient data", never ok). The server's
own figures (``GET /api/v1/metrics/summary`` as an admin, all real traffic) are read alongside
and recommend rollback by the same rules when they hold enough requests.

With ``--rollback`` a recommendation runs the migration toolkit's rollback
(``python -m cutover rollback``, or the given command); while the toolkit has no rollback the
watch says so and exits 2 rather than pretend.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import requests
from rich.console import Console
from rich.markup import escape

from verification.infra.processes import BACKEND_DIR
from verification.targets.base import read_accounts
from verification.thresholds import WATCH_RULES, WatchRules
from verification.watch import Sample, WatchStatus, WatchVerdict, evaluate_window

PROBE_PATHS = ("/api/v1/auth/me", "/api/v1/notifications/unread-count/")
SUMMARY_EVERY_S = 15.0
REPORT_EVERY_S = 5.0


@dataclass
class WatchOptions:
    target_url: str
    accounts_file: Path
    out_dir: Path
    duration_s: float = 0.0
    probe_interval_s: float = 1.0
    window_s: float | None = None
    rollback: bool = False
    rollback_command: str | None = None
    request_timeout_s: float = 10.0
    server_metrics: bool = True  # also judge GET /api/v1/metrics/summary (all real traffic)


class Prober:
    def __init__(self, options: WatchOptions) -> None:
        self.options = options
        self.accounts = read_accounts(options.accounts_file)
        self.tokens: dict[str, str] = {}

    def token(self, key: str) -> str | None:
        if key not in self.tokens:
            account = self.accounts.get(key)
            if account is None:
                return None
            try:
                response = requests.post(
                    f"{self.options.target_url}/api/v1/auth/login",
                    json={"username": account.username, "password": account.password},
                    timeout=self.options.request_timeout_s,
                )
            except requests.RequestException:
                return None  # the probes record the outage; log in again next round
            if response.status_code != 200:
                return None
            self.tokens[key] = response.json()["access"]
        return self.tokens[key]

    def probe(self, path: str) -> Sample:
        token = self.token("cadet")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        try:
            response = requests.get(
                self.options.target_url + path,
                headers=headers,
                timeout=self.options.request_timeout_s,
            )
        except requests.RequestException:
            return Sample(time.time(), None, ok=False)
        latency = (time.perf_counter() - started) * 1000
        if response.status_code == 401:
            self.tokens.pop("cadet", None)  # expired: log in again next round
        return Sample(time.time(), latency, ok=response.status_code < 500)

    def summary(self) -> dict[str, Any] | None:
        token = self.token("admin")
        if not token:
            return None
        try:
            response = requests.get(
                f"{self.options.target_url}/api/v1/metrics/summary",
                params={"window": 5},
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.options.request_timeout_s,
            )
        except requests.RequestException:
            return None
        return response.json() if response.status_code == 200 else None


def summary_breaches(summary: dict[str, Any] | None, rules: WatchRules) -> list[str]:
    """The server's figures judged by the watch rules (strictly above either limit), when they
    hold at least the minimum number of requests."""
    if not summary:
        return []
    figures = summary.get("requests") or {}
    count = int(figures.get("count") or 0)
    if count < rules.min_samples:
        return []
    found = []
    errors = int(figures.get("errors") or 0)
    if Fraction(errors, count) > rules.max_error_rate:
        found.append(
            f"server: error rate {errors}/{count} is above {float(rules.max_error_rate):.0%}"
        )
    p95 = figures.get("p95_ms")
    if p95 is not None and float(p95) > rules.max_p95_ms:
        found.append(f"server: p95 {float(p95):.1f} ms is above {rules.max_p95_ms:g} ms")
    return found


def run_rollback(options: WatchOptions, console: Console) -> int:
    if options.rollback_command:
        command = shlex.split(options.rollback_command)
    elif importlib.util.find_spec("cutover.rollback") is not None:
        command = [sys.executable, "-m", "cutover", "rollback"]
    else:
        console.print(
            "[bold magenta]cannot roll back:[/bold magenta] the migration toolkit's rollback "
            "(cutover.rollback) is not available; follow docs/ rollback procedure by hand"
        )
        return 2
    console.print(f"[bold]running rollback:[/bold] {' '.join(command)}")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=BACKEND_DIR, check=False)
    console.print(
        f"rollback exited {completed.returncode} after {time.perf_counter() - started:.1f} s"
    )
    return 0 if completed.returncode == 0 else 2


def run_watch(options: WatchOptions, *, console: Console) -> int:
    rules = (
        WATCH_RULES if options.window_s is None else replace(WATCH_RULES, window_s=options.window_s)
    )
    duration = options.duration_s or rules.window_s
    prober = Prober(options)
    samples: list[Sample] = []
    summary: dict[str, Any] | None = None
    verdict: WatchVerdict | None = None
    server_breaches: list[str] = []
    end = time.monotonic() + duration
    next_report = time.monotonic() + REPORT_EVERY_S
    next_summary = time.monotonic()
    console.rule(f"watch {options.target_url} for {duration:g} s (window {rules.window_s:g} s)")
    while time.monotonic() < end:
        samples.extend(prober.probe(path) for path in PROBE_PATHS)
        now = time.time()
        horizon = now - rules.window_s
        samples = [s for s in samples if s.at > horizon]
        if options.server_metrics and time.monotonic() >= next_summary:
            summary = prober.summary()
            server_breaches = summary_breaches(summary, rules)
            next_summary = time.monotonic() + SUMMARY_EVERY_S
        verdict = evaluate_window(samples, now=now, rules=rules)
        if time.monotonic() >= next_report:
            console.print(f"  {verdict.status.value}: " + escape("; ".join(verdict.reasons)))
            next_report = time.monotonic() + REPORT_EVERY_S
        if verdict.rollback or server_breaches:
            break
        time.sleep(options.probe_interval_s)

    assert verdict is not None
    recommend = verdict.rollback or bool(server_breaches)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "verdict": verdict.to_dict(),
        "server_breaches": server_breaches,
        "server_summary": summary,
        "recommend_rollback": recommend,
    }
    (options.out_dir / "watch.json").write_text(json.dumps(doc, indent=2, default=str))
    if recommend:
        console.print("[bold red]RECOMMEND ROLLBACK[/bold red]")
        for reason in [*verdict.reasons, *server_breaches]:
            console.print(f"  - {escape(reason)}")
        if options.rollback:
            return run_rollback(options, console)
        console.print("  (run again with --rollback to roll back now)")
        return 1
    style = "green" if verdict.status is WatchStatus.OK else "yellow"
    console.print(
        f"[{style}]{verdict.status.value}[/{style}]: " + escape("; ".join(verdict.reasons))
    )
    console.print(f"watch result: {options.out_dir / 'watch.json'}")
    return int(verdict.exit_code)
