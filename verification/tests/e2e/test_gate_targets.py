"""The gate against real local targets: GO on the healthy stack; NO-GO, naming the failed
check, on deliberately broken ones.

One stack (PostgreSQL database, leased Redis slot, gunicorn, daphne, Celery worker and beat,
a 2-second beat canary) is shared by every test in the module; a test that breaks a service
either restores it itself (a reconfigured service) or leaves it stopped for the
``healthy_stack`` fixture to restart before the next test. Only the healthy run includes the
integration suite; the broken runs skip it (the critical failure decides) and wait less on
what cannot arrive.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover.platform.base import ROLES
from verification.checks.runner import VerifyOptions, deploy_verify, write_report
from verification.gate import CheckStatus, GateVerdict, Verdict
from verification.infra import processes
from verification.rehearsal import toolkit
from verification.targets.base import write_accounts
from verification.targets.local import LocalStack, StackConfig
from verification.thresholds import (
    BEAT_CANARY,
    CELERY_ROUND_TRIP,
    HEALTH_WEB,
    LIVENESS_BEAT,
    LIVENESS_WORKER,
    SAME_COMMIT,
    WEBSOCKET_ROUND_TRIP,
)

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def stack(
    postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    config = StackConfig(
        run_dir=tmp_path_factory.mktemp("gate-stack"),
        postgres_url=postgres_url,
        redis_url=redis_url,
        canary_interval_s=2,
    )
    with LocalStack(config) as running:
        yield running


@pytest.fixture
def healthy_stack(stack: LocalStack) -> LocalStack:
    """The shared stack with every service running (restarting any a test stopped)."""
    for role in ROLES:
        if not stack.state(role).live:
            stack.start(role)
    return stack


@contextlib.contextmanager
def reconfigured(stack: LocalStack, role: str, **env: str) -> Iterator[None]:
    """Restart one service of the stack with extra environment, and restore it afterwards."""
    original = dict(stack.config.role_env)
    stack.config.role_env = {**original, role: {**original.get(role, {}), **env}}
    stack.stop(role)
    try:
        stack.start(role)
        yield
    finally:
        stack.config.role_env = original
        stack.stop(role)
        stack.start(role)


def verify(stack: LocalStack, out: Path, *, suite: bool = False) -> GateVerdict:
    options = VerifyOptions(
        out_dir=out, include_suite=suite, delivery_timeout_s=8, task_timeout_s=15
    )
    run = deploy_verify(stack.target(), options)
    report = write_report(run.results, kind="local", out_dir=out, meta={"test": True})
    assert report.json_path.exists()
    assert report.html_path.exists()
    return report.verdict


def assert_no_go_naming(verdict: GateVerdict, *checks: str) -> None:
    assert verdict.verdict is Verdict.NO_GO, verdict.reasons
    for check in checks:
        assert check in verdict.failed_critical, (check, verdict.reasons)
        assert f"critical check failed: {check}" in verdict.reasons


def test_healthy_target_is_go(healthy_stack: LocalStack, tmp_path: Path) -> None:
    # when deploy-verify runs every check, the integration suite included, on the healthy stack
    verdict = verify(healthy_stack, tmp_path, suite=True)
    # then the gate says GO, over at least the minimum number of executed checks
    assert verdict.verdict is Verdict.GO, verdict.reasons
    assert verdict.failed == 0
    assert verdict.executed >= verdict.rules.min_executed_checks
    names = {r.name for r in verdict.results}
    assert {WEBSOCKET_ROUND_TRIP, CELERY_ROUND_TRIP, BEAT_CANARY, HEALTH_WEB} <= names
    assert any(name.startswith("suite.") for name in names)


def test_channels_with_another_signing_key_is_no_go(
    healthy_stack: LocalStack, tmp_path: Path
) -> None:
    # given channels started with a signing key of its own (web mints with the shared one)
    with reconfigured(healthy_stack, "channels", SECRET_KEY=processes.random_secret_key()):
        verdict = verify(healthy_stack, tmp_path)
    # then the token minted by web is refused on the socket: NO-GO naming the round trip
    assert_no_go_naming(verdict, WEBSOCKET_ROUND_TRIP)


def test_health_behind_authentication_is_no_go(healthy_stack: LocalStack, tmp_path: Path) -> None:
    # given web serving /api/health only to authenticated callers (a test-only settings module)
    pythonpath = os.pathsep.join([str(processes.BACKEND_DIR), str(processes.REPO_ROOT)])
    with reconfigured(
        healthy_stack,
        "web",
        DJANGO_SETTINGS_MODULE="verification.targets.broken_health_settings",
        PYTHONPATH=pythonpath,
    ):
        verdict = verify(healthy_stack, tmp_path)
    # then Render's unauthenticated probe would fail: NO-GO naming health.web
    assert_no_go_naming(verdict, HEALTH_WEB)
    health = next(r for r in verdict.results if r.name == HEALTH_WEB)
    assert health.evidence["status"] == 401


def test_beat_not_running_is_no_go(healthy_stack: LocalStack, tmp_path: Path) -> None:
    # given beat stopped
    healthy_stack.stop("beat")
    verdict = verify(healthy_stack, tmp_path)
    # then beat is not live and no canary run arrives within twice its interval
    assert_no_go_naming(verdict, LIVENESS_BEAT, BEAT_CANARY)


def test_worker_not_running_is_no_go(healthy_stack: LocalStack, tmp_path: Path) -> None:
    # given the Celery worker stopped
    healthy_stack.stop("worker")
    verdict = verify(healthy_stack, tmp_path)
    # then the worker is not live and no task comes back through it
    assert_no_go_naming(verdict, LIVENESS_WORKER, CELERY_ROUND_TRIP)


def test_render_target_on_another_commit_is_no_go(
    healthy_stack: LocalStack, tmp_path: Path
) -> None:
    """deploy-verify --target render, through the Render adapter against a loopback stand-in
    of Render's API, with the services answering on the local stack: one service built from
    another commit is NO-GO naming deploy.same_commit."""
    from cutover.platform.render import RenderClient, RenderPlatform
    from cutover.platform.tests.render_standin import RenderStandIn
    from verification.targets.render import render_target

    local = healthy_stack.target()
    accounts = tmp_path / "accounts.json"
    write_accounts(accounts, local.accounts)
    with RenderStandIn("rnd_key") as api:
        for name, kind in [
            ("rotc-django-web", "web_service"),
            ("rotc-django-channels", "web_service"),
            ("rotc-celery-worker", "background_worker"),
            ("rotc-celery-beat", "background_worker"),
        ]:
            api.add_service(name, kind, commit="a" * 40)
        api.by_name("rotc-celery-worker").deploys[0]["commit"]["id"] = "b" * 40
        target = render_target(
            blueprint_path=processes.REPO_ROOT / "render.yaml",
            api_key="rnd_key",
            accounts_file=accounts,
            api_url=api.url,
            web_url=local.web_url,
            ws_url=local.ws_url,
            database_url=local.database_url,
            broker_url=local.broker_url,
            canary=local.canary,
        )
        assert isinstance(target.platform, RenderPlatform)
        assert isinstance(target.platform.client, RenderClient)
        options = VerifyOptions(
            out_dir=tmp_path, include_suite=False, delivery_timeout_s=8, task_timeout_s=15
        )
        run = deploy_verify(target, options)
    verdict = write_report(run.results, kind="render", out_dir=tmp_path, meta={}).verdict
    assert_no_go_naming(verdict, SAME_COMMIT)
    statuses = {r.name: r.status for r in run.results}
    assert statuses[LIVENESS_WORKER] is CheckStatus.PASS  # live, just on the wrong commit


def test_watch_is_ok_on_a_healthy_web_and_recommends_rollback_when_it_goes_down(
    healthy_stack: LocalStack, tmp_path: Path
) -> None:
    from rich.console import Console

    from verification.checks.watch_probe import WatchOptions, run_watch
    from verification.watch import WatchExitCode

    accounts = write_accounts(tmp_path / "accounts.json", healthy_stack.accounts)

    def watch(seconds: float, out: str, rollback: bool = False) -> int:
        options = WatchOptions(
            target_url=healthy_stack.web_url,
            accounts_file=accounts,
            out_dir=tmp_path / out,
            duration_s=seconds,
            probe_interval_s=0.02,
            window_s=60,
            rollback=rollback,
            # The probes only: the server's own 5-minute figures still hold the 503s the
            # broken-target tests above provoked on purpose.
            server_metrics=False,
        )
        return run_watch(options, console=Console(quiet=True))

    # a healthy web: enough samples within the limits
    assert watch(12, "healthy") == WatchExitCode.OK
    # web down: every probe fails, the rollback is recommended as soon as it is certain
    healthy_stack.stop("web")
    assert watch(30, "down") == WatchExitCode.RECOMMEND_ROLLBACK
    doc = json.loads((tmp_path / "down" / "watch.json").read_text())
    assert doc["recommend_rollback"] is True
    # and --rollback never pretends: without the toolkit's rollback it fails (exit 2)
    if toolkit.find("rollback").missing:
        assert watch(30, "rollback", rollback=True) == 2
