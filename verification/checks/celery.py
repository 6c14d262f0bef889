"""A Celery round trip through the worker: a task queued, its result observed through web.

With the broker reachable from the harness (local runs, or ``--broker-url``): the worker's
``rgms.jobs.tasks.worker_probe`` is sent by name with a task id chosen here, and its status is
read from web's ``GET /api/v1/tasks/<id>/`` as an admin until SUCCESS (broker -> worker ->
result table -> web). Otherwise (Render without broker access): an admin requests the smallest
report through ``POST /api/v1/reports/`` and the returned task is followed the same way.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from verification.checks.common import CheckFailed, Session, Timer, http, login, poll, run_check
from verification.checks.websocket import celery_client
from verification.gate import CheckResult
from verification.targets.base import Target
from verification.thresholds import CELERY_ROUND_TRIP

PROBE_TASK: Final = "rgms.jobs.tasks.worker_probe"
ROUND_TRIP_TIMEOUT_S: Final = 60.0
READY: Final = frozenset({"SUCCESS", "FAILURE", "REVOKED"})


def _status(target: Target, admin: Session, task_id: str) -> dict[str, Any] | None:
    response = http("GET", f"{target.web_url}/api/v1/tasks/{task_id}/", headers=admin.headers)
    if response.status_code == 404:
        return None  # not recorded yet
    if response.status_code != 200:
        raise CheckFailed(
            f"GET /api/v1/tasks/{task_id}/ answered {response.status_code}",
            body=response.text[:500],
        )
    body = response.json()
    return body if body.get("status") in READY else None


def celery_check(target: Target, *, timeout: float = ROUND_TRIP_TIMEOUT_S) -> CheckResult:
    def body() -> tuple[dict[str, Any], int]:
        admin = login(target, "admin")
        timer = Timer()
        if target.broker_url:
            method = "broker: worker_probe sent by name"
            task_id = f"deploy-verify-{uuid.uuid4()}"
            with celery_client(target.broker_url) as app:
                app.send_task(PROBE_TASK, kwargs={}, task_id=task_id)
        else:
            method = "api: POST /api/v1/reports/ roster_csv"
            response = http(
                "POST",
                f"{target.web_url}/api/v1/reports/",
                headers=admin.headers,
                json={"kind": "roster_csv"},
            )
            if response.status_code != 202:
                raise CheckFailed(
                    f"requesting a report answered {response.status_code}",
                    body=response.text[:500],
                )
            task_id = response.json()["task_id"]
        final, _waited = poll(
            lambda: _status(target, admin, task_id), timeout=timeout, interval=0.3
        )
        evidence: dict[str, Any] = {"method": method, "task_id": task_id}
        if final is None:
            raise CheckFailed(
                f"task {task_id} did not finish within {timeout:g} s "
                "(is a worker consuming the queue?)",
                **evidence,
            )
        evidence.update(status=final.get("status"), result=final.get("result"))
        if final.get("status") != "SUCCESS":
            raise CheckFailed(f"task ended {final.get('status')}: {final.get('error')}", **evidence)
        evidence["round_trip_ms"] = timer.ms
        evidence["latencies_ms"] = [timer.ms]
        return evidence, 1

    return run_check(
        CELERY_ROUND_TRIP,
        body,
        threshold=f"queued task SUCCESS, seen through web, within {timeout:g} s",
        limitation=target.limitations.get(CELERY_ROUND_TRIP),
    )
