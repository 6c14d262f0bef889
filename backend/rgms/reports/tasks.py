"""Celery tasks of the reports app (thin: load by id, call the service)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from rgms.jobs.services import task_attempt_record, task_complete
from rgms.jobs.tasking import LoggedTask, TaskProgress
from rgms.reports import services
from rgms.reports.models import Report


@shared_task(name="rgms.reports.tasks.report_generate", bind=True, base=LoggedTask)
def report_generate(self: LoggedTask, report_id: int) -> dict[str, Any]:
    task_attempt_record(task_id=self.request.id, name=self.name)
    report = Report.objects.get(pk=report_id)
    report = services.report_generate(report=report, progress=TaskProgress(self))
    task_complete(task_id=self.request.id)
    return services.report_result(report)


@shared_task(name="rgms.reports.tasks.generate_daily_reports", base=LoggedTask)
def generate_daily_reports() -> dict[str, Any]:
    return asdict(services.generate_daily_reports())
