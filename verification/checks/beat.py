"""The beat schedule (the five R21 entries) and a canary run observed within twice its interval.

``beat.schedule``: the five entries of R21, as beat stored them in ``django_celery_beat``'s
tables (the DatabaseScheduler syncs the settings into them when it starts): present, enabled,
each with the R21 time in UTC. The expected times are written here from the requirement, not
read from the settings under test. A target without database access but with a way into the
app (a local stack without Redis, where beat cannot run) reads the settings through the app.

``beat.canary``: a periodic entry (the target names it and its interval) must complete a run
(a SUCCESS row in ``django_celery_results_taskresult`` with that ``periodic_task_name``) within
twice its interval from the start of the check: beat is scheduling, the broker carries, a
worker runs, results are stored.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Final

from verification.checks.common import CheckFailed, CheckSkipped, Timer, run_check
from verification.checks.db import query
from verification.gate import CheckResult
from verification.targets.base import Target
from verification.thresholds import BEAT_CANARY, BEAT_SCHEDULE, LIVENESS_BEAT

# R21 (UTC): name -> crontab fields (minute, hour, day_of_week, day_of_month, month_of_year).
R21: Final = {
    "cleanup-old-sessions": ("0", "2", "*", "*", "*"),
    "generate-daily-reports": ("0", "6", "*", "*", "*"),
    "sync-attendance": ("*/15", "*", "*", "*", "*"),
    "cleanup-expired-tokens": ("0", "3", "*", "*", "*"),
    "backup-database": ("0", "4", "sunday", "*", "*"),
}
_SUNDAY: Final = frozenset({"0", "7", "sun", "sunday"})
_FIELDS: Final = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")

SCHEDULE_SQL: Final = """
SELECT t.name, t.task, t.enabled, t.last_run_at, t.total_run_count,
       c.minute, c.hour, c.day_of_week, c.day_of_month, c.month_of_year, c.timezone
FROM django_celery_beat_periodictask t
LEFT JOIN django_celery_beat_crontabschedule c ON c.id = t.crontab_id
"""
CANARY_SQL: Final = """
SELECT task_id, status, date_done FROM django_celery_results_taskresult
WHERE periodic_task_name = {p} AND status = 'SUCCESS'
ORDER BY date_done DESC LIMIT 1
"""


def _norm(field: str, value: Any) -> str:
    text = str(value).strip().lower().replace(" ", "")
    if field == "day_of_week" and text in _SUNDAY:
        return "sunday"
    return text


def compare_schedule(entries: dict[str, dict[str, Any]]) -> list[str]:
    """Every way the stored entries differ from R21 (empty when they match)."""
    problems = []
    for name, expected in R21.items():
        entry = entries.get(name)
        if entry is None:
            problems.append(f"{name}: missing")
            continue
        if not entry.get("enabled", True):
            problems.append(f"{name}: disabled")
        if not entry.get("task"):
            problems.append(f"{name}: no task")
        got = tuple(_norm(f, entry.get(f)) for f in _FIELDS)
        want = tuple(_norm(f, v) for f, v in zip(_FIELDS, expected, strict=True))
        if got != want:
            problems.append(f"{name}: crontab {' '.join(got)}, expected {' '.join(want)} (UTC)")
        zone = str(entry.get("timezone") or "UTC")
        if zone not in ("UTC", "Etc/UTC"):
            problems.append(f"{name}: time zone {zone}, expected UTC")
    return problems


def _from_database(url: str) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in query(url, SCHEDULE_SQL)}


def beat_checks(target: Target, *, settings_probe: Any = None) -> list[CheckResult]:
    def schedule() -> tuple[dict[str, Any], int]:
        beat_cannot_run = LIVENESS_BEAT in target.limitations
        if target.database_url and not (beat_cannot_run and settings_probe is not None):
            source = "django_celery_beat tables (as beat stored them)"
            entries = _from_database(target.database_url)
        elif settings_probe is not None:
            source = "settings, read through the app (beat is not running here)"
            entries = settings_probe()
        else:
            raise CheckSkipped("no database access to read the stored schedule (--database-url)")
        problems = compare_schedule(entries)
        evidence = {
            "source": source,
            "entries": {
                name: {k: entries[name].get(k) for k in ("task", "enabled", *_FIELDS)}
                for name in R21
                if name in entries
            },
        }
        if problems:
            raise CheckFailed("; ".join(problems), **evidence)
        return evidence, len(R21)

    results = [
        run_check(
            BEAT_SCHEDULE,
            schedule,
            threshold="the five R21 entries, enabled, at their UTC times",
        )
    ]

    def canary() -> tuple[dict[str, Any], int]:
        if target.canary is None:
            raise CheckSkipped("the target names no canary entry")
        if not target.database_url:
            raise CheckSkipped("no database access to observe the canary's runs (--database-url)")
        name, interval = target.canary.name, target.canary.interval_s
        started = datetime.now(UTC)
        timer = Timer()
        bound = 2 * interval
        while True:
            rows = query(target.database_url, CANARY_SQL, (name,))
            done = rows[0]["date_done"] if rows else None
            if isinstance(done, str):
                done = datetime.fromisoformat(done)
            if done is not None and done.tzinfo is None:
                done = done.replace(tzinfo=UTC)
            if done is not None and done > started:
                waited = timer.seconds
                return {
                    "entry": name,
                    "interval_s": interval,
                    "observed_after_s": round(waited, 2),
                    "task_id": rows[0]["task_id"],
                    "date_done": done.isoformat(),
                }, 1
            if timer.seconds > bound:
                raise CheckFailed(
                    f"no completed run of {name} within {bound:g} s (twice its interval): "
                    "is beat running, and a worker?",
                    entry=name,
                    last_completed=done.isoformat() if done else None,
                )
            time.sleep(0.5)

    interval = target.canary.interval_s if target.canary else None
    results.append(
        run_check(
            BEAT_CANARY,
            canary,
            threshold=f"a run completes within 2 x {interval:g} s" if interval else None,
            limitation=target.limitations.get(BEAT_CANARY),
        )
    )
    return results
