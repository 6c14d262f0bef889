"""The request id travels into tasks; task outcomes and durations are measured."""

from __future__ import annotations

import pytest
from celery.signals import after_task_publish
from prometheus_client import REGISTRY

from config.celery import app
from rgms.observability import celery_signals, context
from rgms.observability.samples import TASKS, decode_task
from rgms.observability.tasks import ProbeFailure, observability_probe

pytestmark = pytest.mark.django_db

PROBE = "rgms.observability.tasks.observability_probe"


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_publishing_puts_the_request_id_and_user_into_the_headers(settings) -> None:
    # given a request context and a real (in-memory) broker instead of eager execution
    published: list[dict] = []

    def capture(headers=None, **_):
        published.append(dict(headers or {}))

    after_task_publish.connect(capture, weak=False)
    app.conf.task_always_eager = False
    id_token = context.set_request_id("pub-req-0001")
    user_token = context.set_user_id(7)
    try:
        # when a task is started
        observability_probe.apply_async(kwargs={"note": "x"}, broker_connection_timeout=2)
    finally:
        context.reset_user_id(user_token)
        context.reset_request_id(id_token)
        app.conf.task_always_eager = True
        after_task_publish.disconnect(capture)
    # then its message carries them
    [headers] = published
    assert headers[celery_signals.REQUEST_ID_HEADER] == "pub-req-0001"
    assert headers[celery_signals.USER_ID_HEADER] == 7


def test_publishing_outside_a_request_adds_nothing() -> None:
    headers: dict = {}
    celery_signals._on_publish(headers=headers)
    assert headers == {}


class _Request:
    def __init__(self, headers: dict) -> None:
        self.is_eager = False
        self.headers = headers


class _Task:
    name = PROBE

    def __init__(self, headers: dict) -> None:
        self.request = _Request(headers)


def _run_as_a_worker_would(headers: dict, body) -> None:
    task = _Task(headers)
    celery_signals._on_prerun(task_id="task-0001", task=task)
    try:
        body()
    finally:
        celery_signals._on_postrun(task_id="task-0001", task=task, state="SUCCESS")


def test_worker_side_puts_the_id_back_for_the_task_log(json_log) -> None:
    import logging

    # when a worker runs a task whose message carries the request's headers
    headers = {celery_signals.REQUEST_ID_HEADER: "hdr-req-0002", celery_signals.USER_ID_HEADER: 5}
    _run_as_a_worker_would(headers, lambda: logging.getLogger("rgms.tests.task").info("in task"))
    # then the task's log line carries the request id, the user, the task id and name
    [line] = json_log.find(lambda line: line["message"] == "in task")
    assert line["request_id"] == "hdr-req-0002"
    assert line["user_id"] == 5
    assert line["task_id"] == "task-0001"
    assert line["task"] == PROBE
    # and the context is clean again afterwards
    assert context.request_id() is None
    assert context.task() is None
    assert context.current_user_id() is None


def test_malformed_header_id_is_ignored(json_log) -> None:
    import logging

    headers = {celery_signals.REQUEST_ID_HEADER: "bad id\nforged"}
    _run_as_a_worker_would(headers, lambda: logging.getLogger("rgms.tests.task").info("in task"))
    [line] = json_log.find(lambda line: line["message"] == "in task")
    assert line["request_id"] is None


def test_eager_task_keeps_the_request_context(json_log) -> None:
    # given a request being served (eager tasks run inside it)
    token = context.set_request_id("eager-req-0003")
    try:
        observability_probe.delay(note="eager")
    finally:
        context.reset_request_id(token)
    [line] = json_log.find(lambda line: line["message"] == "Observability probe ran")
    assert line["request_id"] == "eager-req-0003"


def test_task_outcomes_and_durations_are_counted(process_store) -> None:
    # given the counters before
    ok = _value("rgms_celery_tasks_total", task=PROBE, state="SUCCESS")
    failed = _value("rgms_celery_tasks_total", task=PROBE, state="FAILURE")
    runs = _value("rgms_celery_task_duration_seconds_count", task=PROBE)
    # when one run succeeds and one fails
    observability_probe.delay()
    with pytest.raises(ProbeFailure):
        observability_probe.apply(kwargs={"fail": True}, throw=False).get()
    # then both outcomes and both durations are recorded
    assert _value("rgms_celery_tasks_total", task=PROBE, state="SUCCESS") == ok + 1
    assert _value("rgms_celery_tasks_total", task=PROBE, state="FAILURE") == failed + 1
    assert _value("rgms_celery_task_duration_seconds_count", task=PROBE) == runs + 2
    # and both runs are samples for the summary
    states = sorted(
        decode_task(raw).state for raw, _ in process_store.read(TASKS, since=0, until=1e12)
    )
    assert states == ["FAILURE", "SUCCESS"]
