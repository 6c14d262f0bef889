from __future__ import annotations

import logging
import smtplib

import pytest
from celery import states
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django_celery_results.models import TaskResult

from rgms.jobs import tasks
from rgms.jobs.tasking import RETRY_POLICY
from rgms.notifications.models import Notification

pytestmark = pytest.mark.django_db


class FlakyBackend(BaseEmailBackend):
    """Refuses the first `failures` sends with an SMTP error, then delivers to the outbox."""

    failures = 0
    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture(autouse=True)
def _eager_without_propagation():
    """Eager apply() follows retries only when errors are not propagated (as on a worker)."""
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def flaky_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.calls = 0
    mail.outbox = []
    return FlakyBackend


def test_email_is_retried_then_delivered(flaky_backend):
    # given a transport that fails twice
    flaky_backend.failures = 2

    # when
    result = tasks.email_send.apply(kwargs={"to": ["c@example.com"], "subject": "s", "body": "b"})

    # then the third attempt delivers, and the stored state says so
    assert result.state == states.SUCCESS
    assert result.result == {"sent": True, "recipients": ["c@example.com"], "reason": ""}
    assert flaky_backend.calls == 3
    assert len(mail.outbox) == 1
    assert TaskResult.objects.get(task_id=result.id).status == states.SUCCESS


def test_email_fails_after_max_retries_and_is_logged(flaky_backend, caplog):
    # given a transport that never works
    flaky_backend.failures = 1000
    caplog.set_level(logging.WARNING, logger="rgms.jobs.tasking")

    # when
    result = tasks.email_send.apply(kwargs={"to": ["c@example.com"], "subject": "s", "body": "b"})

    # then: one try plus max_retries retries, FAILURE recorded in the database, errors logged
    assert flaky_backend.calls == RETRY_POLICY["max_retries"] + 1
    assert result.state == states.FAILURE
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    row = TaskResult.objects.get(task_id=result.id)
    assert row.status == states.FAILURE
    assert "SMTPServerDisconnected" in row.result
    failures = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name == "rgms.jobs.tasking"
    ]
    assert len(failures) == 1
    assert f"failed after {RETRY_POLICY['max_retries']} retries" in failures[0].getMessage()
    retries = [r for r in caplog.records if "will retry" in r.getMessage()]
    assert len(retries) == RETRY_POLICY["max_retries"]


def test_retry_policy_backs_off_exponentially():
    task = tasks.email_send
    assert task.autoretry_for == RETRY_POLICY["autoretry_for"]
    assert smtplib.SMTPException in task.autoretry_for
    assert OSError in task.autoretry_for
    assert task.retry_backoff == 2
    assert task.retry_backoff_max == 600
    assert task.max_retries == 5


def test_notification_email_goes_to_the_user(flaky_backend, make_user):
    flaky_backend.failures = 0
    user = make_user(email="cadet@example.com")
    notification = Notification.objects.create(user=user, message="Marked present", type="grade")

    result = tasks.notification_email_send.apply(args=[notification.pk])

    assert result.state == states.SUCCESS
    assert [m.to for m in mail.outbox] == [["cadet@example.com"]]
    assert mail.outbox[0].body == "Marked present"


def test_notification_email_skips_users_without_address(flaky_backend, make_user):
    user = make_user(email=None)
    notification = Notification.objects.create(user=user, message="m", type="grade")

    result = tasks.notification_email_send.apply(args=[notification.pk])

    assert result.result["sent"] is False
    assert "no email" in result.result["reason"]
    assert flaky_backend.calls == 0


@pytest.mark.parametrize(
    ("task", "key"),
    [
        (tasks.cleanup_old_sessions, "deleted"),
        (tasks.cleanup_expired_tokens, "details"),
        (tasks.backup_database, "status"),
    ],
)
def test_beat_tasks_return_json_results(task, key):
    result = task.apply()

    assert result.state == states.SUCCESS
    assert key in result.result
    assert TaskResult.objects.get(task_id=result.id).status == states.SUCCESS
