"""The beat schedule of R21, computed (never waited for): every entry names a registered task
and fires at the stated UTC times; the database scheduler persists these entries."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app

START = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)  # a Saturday, 00:00 UTC


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


EXPECTED = {
    "cleanup-old-sessions": (
        "rgms.jobs.tasks.cleanup_old_sessions",
        [at(1, 2), at(2, 2), at(3, 2)],
    ),
    "generate-daily-reports": (
        "rgms.reports.tasks.generate_daily_reports",
        [at(1, 6), at(2, 6), at(3, 6)],
    ),
    "sync-attendance": (
        "rgms.attendance.tasks.sync_attendance",
        [at(1, 0, 15), at(1, 0, 30), at(1, 0, 45), at(1, 1, 0), at(1, 1, 15)],
    ),
    "cleanup-expired-tokens": (
        "rgms.jobs.tasks.cleanup_expired_tokens",
        [at(1, 3), at(2, 3), at(3, 3)],
    ),
    # 2 March 2025 is a Sunday.
    "backup-database": (
        "rgms.jobs.tasks.backup_database",
        [at(2, 4), at(9, 4), at(16, 4)],
    ),
}


def frozen(schedule: crontab, now: datetime) -> crontab:
    """A copy of the schedule whose clock reads ``now``."""
    clone = copy.copy(schedule)
    clone.nowfun = lambda: now
    return clone


def next_run(schedule: crontab, after: datetime) -> datetime:
    """When the schedule fires next, if it last ran at ``after`` and it is now ``after``."""
    return after + frozen(schedule, after).remaining_estimate(after)


def test_schedule_has_the_five_jobs_in_utc():
    # Other jobs may be added beside them (observability's checks); these five must be there.
    assert set(EXPECTED) <= set(settings.CELERY_BEAT_SCHEDULE)
    assert app.conf.timezone == "UTC"
    assert app.conf.enable_utc is True


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_entry_names_a_registered_task(name):
    app.loader.import_default_modules()
    task_name = settings.CELERY_BEAT_SCHEDULE[name]["task"]

    assert task_name == EXPECTED[name][0]
    assert task_name in app.tasks, f"{task_name} is not registered with the Celery app"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_entry_fires_at_the_stated_utc_times(name):
    schedule = settings.CELERY_BEAT_SCHEDULE[name]["schedule"]
    expected = EXPECTED[name][1]

    # when the next runs are computed from a fixed start
    runs, moment = [], START
    for _ in expected:
        moment = next_run(schedule, moment)
        runs.append(moment)

    # then they are the stated times, and the entry is due exactly then, not a second before
    assert runs == expected
    first = expected[0]
    due_before, _ = frozen(schedule, first - timedelta(seconds=1)).is_due(START)
    due_at, _ = frozen(schedule, first).is_due(START)
    assert (due_before, due_at) == (False, True)


# The scheduler closes stale connections itself, which a test inside a transaction cannot take.
@pytest.mark.django_db(transaction=True)
def test_database_scheduler_persists_the_schedule():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    # when beat starts with the database scheduler
    DatabaseScheduler(app=app)

    # then each entry is a periodic task row with its crontab in UTC
    for name, (task_name, _) in EXPECTED.items():
        row = PeriodicTask.objects.select_related("crontab").get(name=name)
        assert row.task == task_name
        assert row.enabled
        assert str(row.crontab.timezone) == "UTC"
    backup = PeriodicTask.objects.get(name="backup-database").crontab
    assert (backup.minute, backup.hour, backup.day_of_week) == ("0", "4", "sunday")
    sync = PeriodicTask.objects.get(name="sync-attendance").crontab
    assert (sync.minute, sync.hour) == ("*/15", "*")
