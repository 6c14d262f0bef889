"""The harness's command line: ``python -m verification <command>``.

``rehearse``       the full local cutover rehearsal (the main job; ``bin/rehearse`` runs it)
``deploy-verify``  every check against a target (``--target local`` or ``render``) -> verdict
``watch``          post-cutover: error rate and p95 over a window; recommends or runs rollback
``gate``           re-judge check results from one or more reports (and load results)

Exit status: the gate's (GO 0, NO-GO 1, ERROR 2, INCONCLUSIVE 3); watch: ok 0, rollback
recommended 1, insufficient data 3, a failed rollback 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from verification.gate import CheckResult, CheckStatus, GateVerdict

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="RGMS cutover harness: rehearse, deploy-verify, watch, gate.",
)
console = Console(highlight=False)

STATUS_STYLE = {"PASS": "green", "FAIL": "red", "SKIP": "yellow", "ERROR": "magenta"}
VERDICT_STYLE = {
    "GO": "bold green",
    "NO-GO": "bold red",
    "INCONCLUSIVE": "bold yellow",
    "ERROR": "bold magenta",
}
REPO_ROOT = Path(__file__).resolve().parents[1]


def _bootstrap_paths() -> None:
    backend = str(REPO_ROOT / "backend")
    if backend not in sys.path:
        sys.path.insert(0, backend)


def default_run_dir(kind: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return REPO_ROOT / "var" / "verification" / f"{kind}-{stamp}"


def print_results(results: Sequence[CheckResult], *, indent: str = "    ") -> None:
    for result in results:
        style = STATUS_STYLE.get(result.status.value, "")
        critical = " [bold]critical[/bold]" if result.critical else ""
        reason = ""
        if result.status is not CheckStatus.PASS and result.reason:
            reason = f"  [dim]{escape(_short(result.reason))}[/dim]"
        console.print(
            f"{indent}[{style}]{result.status.value:5}[/{style}] {escape(result.name)}"
            f" [dim]{result.duration:.2f}s[/dim]{critical}{reason}"
        )


def _short(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def on_phase(name: str, event: str, results: Sequence[CheckResult], seconds: float) -> None:
    if event == "start":
        console.print(f"  [cyan]>[/cyan] {name} ...")
    else:
        console.print(f"  [cyan]<[/cyan] {name} [dim]{seconds:.1f} s[/dim]")
        print_results(results)


def print_verdict(verdict: GateVerdict, json_path: Path, html_path: Path) -> None:
    style = VERDICT_STYLE[verdict.verdict.value]
    console.rule(f"[{style}]{verdict.verdict.value}[/{style}]")
    rate = "n/a" if verdict.pass_rate is None else f"{float(verdict.pass_rate) * 100:.2f} %"
    console.print(
        f"pass rate {rate} ({verdict.passed}/{verdict.executed} executed; "
        f"{verdict.skipped} skipped, {verdict.errored} errored)"
    )
    for reason in verdict.reasons:
        console.print(f"  - {escape(reason)}")
    console.print(f"report: {json_path}")
    console.print(f"        {html_path}")


# --- deploy-verify -----------------------------------------------------------------------


@app.command("deploy-verify")
def deploy_verify_command(
    target: Annotated[str, typer.Option(help="local (our processes) or render")] = "local",
    out: Annotated[Path | None, typer.Option(help="run directory for the report")] = None,
    suite: Annotated[
        bool, typer.Option(help="run the integration suite against the target")
    ] = True,
    load_result: Annotated[
        list[Path] | None, typer.Option(help="a load run's JSON result (repeatable)")
    ] = None,
    contract_junit: Annotated[
        Path | None, typer.Option(help="the contract run's JUnit XML")
    ] = None,
    postgres_url: Annotated[
        str | None, typer.Option(help="local: PostgreSQL server (default DATABASE_URL)")
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option(help="local: Redis server (default REDIS_URL/TEST_REDIS_URL)")
    ] = None,
    render_yaml: Annotated[Path, typer.Option(help="render: the blueprint")] = REPO_ROOT
    / "render.yaml",
    render_api_url: Annotated[str, typer.Option(help="render: API base URL")] = (
        "https://api.render.com/v1"
    ),
    target_url: Annotated[str | None, typer.Option(help="render: web URL")] = None,
    ws_url: Annotated[str | None, typer.Option(help="render: channels URL (wss://)")] = None,
    accounts: Annotated[
        Path | None, typer.Option(help="render: accounts JSON, one per role")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="render: read-only database URL (beat checks)")
    ] = None,
    broker_url: Annotated[str | None, typer.Option(help="render: broker URL (optional)")] = None,
    use_postgres: Annotated[
        bool, typer.Option("--postgres/--no-postgres", help="local: use PostgreSQL if available")
    ] = True,
    use_redis: Annotated[
        bool, typer.Option("--redis/--no-redis", help="local: use Redis if available")
    ] = True,
) -> None:
    """Check every service of a target and say GO / NO-GO; JSON and HTML report."""
    _bootstrap_paths()
    from verification.checks.runner import VerifyOptions, deploy_verify, write_report

    run_dir = out or default_run_dir(f"deploy-verify-{target}")
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    console.rule(f"deploy-verify --target {target}")
    if target not in ("local", "render"):
        raise typer.BadParameter("--target must be local or render")
    if target == "render" and accounts is None:
        raise typer.BadParameter("--accounts is required for --target render")
    results: list[CheckResult] = []
    phases: list[Any] = []
    described: dict[str, Any] = {"kind": target}

    def run_against(tgt: Any, settings_probe: Any = None) -> None:
        described.update(tgt.describe())
        options = VerifyOptions(
            out_dir=run_dir,
            include_suite=suite,
            load_results=load_result or (),
            contract_junit=contract_junit,
            settings_probe=settings_probe,
            on_phase=on_phase,
        )
        run = deploy_verify(tgt, options)
        results.extend(run.results)
        phases.extend(run.phases)

    try:
        if target == "local":
            from verification.targets.infra import local_infra
            from verification.targets.local import LocalStack, StackConfig

            with local_infra(
                postgres_url, redis_url, want_postgres=use_postgres, want_redis=use_redis
            ) as infra:
                for note in infra.notes:
                    console.print(f"  [dim]{escape(note)}[/dim]")
                console.print("  starting gunicorn, daphne, celery worker and beat ...")
                config = StackConfig(
                    run_dir=run_dir / "stack",
                    postgres_url=infra.postgres_url,
                    redis_url=infra.redis_url,
                )
                with LocalStack(config) as stack:
                    console.print(
                        f"  stack up in {stack.timings.get('up_s')} s: web {stack.web_url}, "
                        f"channels {stack.channels_url}"
                    )
                    probe = stack.settings_schedule if not stack.has_redis else None
                    run_against(stack.target(), probe)
        else:
            from verification.targets.render import render_target

            assert accounts is not None
            run_against(
                render_target(
                    blueprint_path=render_yaml,
                    api_key=os.environ.get("RENDER_API_KEY", ""),
                    accounts_file=accounts,
                    api_url=render_api_url,
                    web_url=target_url,
                    ws_url=ws_url,
                    database_url=database_url,
                    broker_url=broker_url,
                )
            )
    except Exception as exc:
        # The target could not be brought up or reached at all: no evidence, so ERROR.
        console.print(f"[bold magenta]setup failed:[/bold magenta] {escape(str(exc))}")
        results.append(
            CheckResult(
                "deploy_verify.setup",
                CheckStatus.ERROR,
                evidence={"reason": f"{type(exc).__name__}: {exc}"},
            )
        )

    meta = {
        "command": "deploy-verify",
        "target": described,
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "wall_time_s": round(time.time() - started, 1),
        **{f"phase {p.name}": f"{p.seconds:.1f} s: {p.summary}" for p in phases},
    }
    kind = "render" if target == "render" else "local"
    report = write_report(results, kind=kind, out_dir=run_dir, meta=meta)
    print_verdict(report.verdict, report.json_path, report.html_path)
    raise typer.Exit(int(report.verdict.exit_code))


# --- gate ----------------------------------------------------------------------------------


@app.command("gate")
def gate_command(
    reports: Annotated[
        list[Path], typer.Argument(help="gate reports (JSON) whose checks to judge")
    ],
    kind: Annotated[str, typer.Option(help="local, render or rehearsal rules")] = "local",
    load_result: Annotated[list[Path] | None, typer.Option(help="load result JSON")] = None,
    out: Annotated[Path | None, typer.Option(help="where to write the combined report")] = None,
) -> None:
    """Judge the checks of earlier reports (and load results) together."""
    _bootstrap_paths()
    from verification.checks.runner import write_report
    from verification.load_phase import read_load_result

    results: list[CheckResult] = []
    for path in reports:
        doc = json.loads(path.read_text())
        results.extend(
            CheckResult(
                check["name"],
                check["status"],
                critical=bool(check.get("critical")),
                evidence=check.get("evidence") or {},
                duration=float(check.get("duration_s") or 0.0),
                n=check.get("n"),
                threshold=check.get("threshold"),
            )
            for check in doc.get("checks", [])
        )
    for path in load_result or ():
        results.extend(read_load_result(path))
    run_dir = out or default_run_dir("gate")
    meta = {"command": "gate", "sources": [str(p) for p in reports]}
    report = write_report(results, kind=kind, out_dir=run_dir, meta=meta)
    print_verdict(report.verdict, report.json_path, report.html_path)
    raise typer.Exit(int(report.verdict.exit_code))


# --- watch ---------------------------------------------------------------------------------


@app.command("watch")
def watch_command(
    target_url: Annotated[str, typer.Option(help="web's base URL")],
    accounts: Annotated[
        Path, typer.Option(help="accounts JSON (a cadet probes, an admin reads metrics)")
    ],
    duration: Annotated[float, typer.Option(help="seconds to watch (default: one window)")] = 0.0,
    probe_interval: Annotated[float, typer.Option(help="seconds between probe rounds")] = 1.0,
    window: Annotated[
        float | None, typer.Option(help="override the window (s), for drills")
    ] = None,
    rollback: Annotated[bool, typer.Option(help="run the rollback when it is recommended")] = False,
    rollback_command: Annotated[
        str | None, typer.Option(help="the rollback to run (default: python -m cutover rollback)")
    ] = None,
    server_metrics: Annotated[
        bool, typer.Option(help="also judge the server's /api/v1/metrics/summary (admin)")
    ] = True,
    out: Annotated[Path | None, typer.Option(help="where to write watch.json")] = None,
) -> None:
    """Sample error rate and p95 over a window; recommend rollback above the limits (or run it
    with --rollback)."""
    _bootstrap_paths()
    from verification.checks.watch_probe import WatchOptions, run_watch

    run_dir = out or default_run_dir("watch")
    outcome = run_watch(
        WatchOptions(
            target_url=target_url.rstrip("/"),
            accounts_file=accounts,
            duration_s=duration,
            probe_interval_s=probe_interval,
            window_s=window,
            rollback=rollback,
            rollback_command=rollback_command,
            server_metrics=server_metrics,
            out_dir=run_dir,
        ),
        console=console,
    )
    raise typer.Exit(outcome)


# --- rehearse ------------------------------------------------------------------------------


@app.command("rehearse")
def rehearse_command(
    legacy_url: Annotated[
        str | None,
        typer.Option(help="build the legacy database here (sqlite:///... or postgresql://...)"),
    ] = None,
    legacy_postgres: Annotated[
        bool, typer.Option(help="legacy database on PostgreSQL (a fresh database on the server)")
    ] = False,
    scale: Annotated[float, typer.Option(help="legacy data scale (1.0 = 3000 cadets)")] = 1.0,
    postgres_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server (default DATABASE_URL)")
    ] = None,
    redis_url: Annotated[str | None, typer.Option(help="Redis server (default REDIS_URL)")] = None,
    out: Annotated[Path | None, typer.Option(help="run directory")] = None,
    suite: Annotated[bool, typer.Option(help="run the integration suite in deploy-verify")] = True,
    keep: Annotated[bool, typer.Option(help="keep the databases after the run")] = False,
    services: Annotated[
        bool, typer.Option(help="start the services, deploy-verify and roll back")
    ] = True,
    use_postgres: Annotated[
        bool, typer.Option("--postgres/--no-postgres", help="use PostgreSQL when available")
    ] = True,
    use_redis: Annotated[
        bool, typer.Option("--redis/--no-redis", help="use Redis when available")
    ] = True,
    load: Annotated[
        bool, typer.Option(help="also run the load phase (loadtests.run) and judge its results")
    ] = False,
    load_run_time: Annotated[str, typer.Option(help="load: run time per mix")] = "30s",
) -> None:
    """From nothing: legacy database, backup, export, import, verify, the four services,
    deploy-verify, a timed rollback; the report and the verdict."""
    _bootstrap_paths()
    from verification.rehearsal.steps import RehearsalOptions, rehearse

    run_dir = out or default_run_dir("rehearsal")
    verdict = rehearse(
        RehearsalOptions(
            run_dir=run_dir,
            legacy_url=legacy_url,
            legacy_postgres=legacy_postgres,
            scale=scale,
            postgres_url=postgres_url,
            redis_url=redis_url,
            include_suite=suite,
            keep=keep,
            services=services,
            use_postgres=use_postgres,
            use_redis=use_redis,
            load=load,
            load_run_time=load_run_time,
        ),
        console=console,
    )
    raise typer.Exit(int(verdict.exit_code))


def main(argv: Sequence[str] | None = None) -> Any:
    return app(args=list(argv) if argv is not None else None)
