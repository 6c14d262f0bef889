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
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover.platform.base import ROLES
from verification.checks.runner import VerifyOptions, deploy_verify, write_report
from verification.gate import GateVerdict, Verdict
from verification.infra import processes
from verification.targets.local import LocalStack, StackConfig
from verification.thresholds import (
    BEAT_CANARY,
    CELERY_ROUND_TRIP,
    HEALTH_WEB,
    LIVENESS_BEAT,
    LIVENESS_WORKER,
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
