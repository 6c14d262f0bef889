"""The main job end to end, small: a legacy database, validated backup, checked export,
import, verify, the four services, deploy-verify (without the suite, which the target tests
run), a timed rollback through the local platform, the report: GO."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from verification.gate import CheckStatus, Verdict
from verification.rehearsal import toolkit
from verification.rehearsal.steps import (
    ROLLBACK_CHECK,
    ROLLBACK_TIME_CHECK,
    RehearsalOptions,
    rehearse,
)
from verification.thresholds import MIGRATION_VERIFY

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow, pytest.mark.timeout(400)]

MISSING = [s.missing for s in map(toolkit.find, ("import", "verify", "rollback")) if s.missing]


@pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING))
def test_rehearsal_from_nothing_is_go(
    tmp_path: Path, postgres_url: str, redis_url: str, django_db_blocker: Any
) -> None:
    # when the rehearsal runs from nothing (the toolkit's import and verify run in this
    # process, on databases of their own, so database access is allowed around them)
    with django_db_blocker.unblock():
        verdict = rehearse(
            RehearsalOptions(
                run_dir=tmp_path,
                scale=0.02,
                postgres_url=postgres_url,
                redis_url=redis_url,
                include_suite=False,
                django_template=True,
            ),
            console=Console(quiet=True),
        )
    # then the gate says GO on the migration, the services and the rollback
    assert verdict.verdict is Verdict.GO, verdict.reasons
    statuses = {r.name: r.status for r in verdict.results}
    for name in (MIGRATION_VERIFY, ROLLBACK_CHECK, ROLLBACK_TIME_CHECK):
        assert statuses[name] is CheckStatus.PASS, name
    # and the report, the step timings and the rollback's own record are on disk
    report = json.loads((tmp_path / "gate-report.json").read_text())
    assert report["verdict"] == "GO"
    assert (tmp_path / "gate-report.html").read_text().startswith("<!DOCTYPE html>")
    steps = {s["name"]: s["outcome"] for s in json.loads((tmp_path / "steps.json").read_text())}
    assert steps.pop("load (optional)") == "skipped"  # opt-in (--load)
    steps.pop("report")
    assert set(steps.values()) == {"ok"}, steps
