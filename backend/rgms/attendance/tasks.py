"""Celery tasks of the attendance app."""

from __future__ import annotations

from celery import shared_task

from rgms.attendance.services import attendance_sync


@shared_task(name="rgms.attendance.tasks.sync_attendance")
def sync_attendance() -> int:
    """Beat job `sync-attendance` (every 15 min): fix drift between grades.attendance_present
    and the attendance records; returns how many grade rows changed."""
    return attendance_sync()
