from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from rgms.jobs import services
from rgms.jobs.models import TrackedTask

pytestmark = pytest.mark.django_db


def test_cleanup_old_sessions_deletes_only_expired():
    # given one expired and one live session
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + timedelta(1))

    # when
    outcome = services.cleanup_old_sessions()

    # then
    assert outcome.deleted == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_cleanup_expired_tokens_flushes_expired_and_their_blacklist(cadet_user):
    # given an expired blacklisted token, an expired plain one and a live one
    now = timezone.now()

    def token(jti: str, expires_at):
        return OutstandingToken.objects.create(
            user=cadet_user, jti=jti, token=f"t-{jti}", expires_at=expires_at
        )

    BlacklistedToken.objects.create(token=token("a", now - timedelta(hours=1)))
    token("b", now - timedelta(minutes=1))
    token("c", now + timedelta(days=7))

    # when
    outcome = services.cleanup_expired_tokens()

    # then
    assert outcome.details == {"outstanding_tokens": 2, "blacklisted_tokens": 1}
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["c"]
    assert not BlacklistedToken.objects.exists()


def test_backup_is_not_configured_without_a_legacy_database(monkeypatch, tmp_path):
    monkeypatch.delenv("NODEJS_DATABASE_URL", raising=False)

    outcome = services.backup_database(target=tmp_path)

    assert outcome.status == services.NOT_CONFIGURED
    assert "NODEJS_DATABASE_URL" in outcome.reason
    assert outcome.backup is None
    assert list(tmp_path.iterdir()) == []


def test_backup_is_not_configured_without_a_target(monkeypatch, settings):
    monkeypatch.setenv("NODEJS_DATABASE_URL", "postgresql://legacy@127.0.0.1:1/legacy")
    settings.LEGACY_BACKUP_DIR = None

    outcome = services.backup_database()

    assert outcome.status == services.NOT_CONFIGURED
    assert "LEGACY_BACKUP_DIR" in outcome.reason


def test_backup_is_not_configured_without_the_toolkit(monkeypatch, tmp_path):
    # given a legacy database and a target, but no backup module to call
    monkeypatch.setenv("NODEJS_DATABASE_URL", "postgresql://legacy@127.0.0.1:1/legacy")

    def missing(name):
        raise ImportError(name)

    monkeypatch.setattr(services, "import_module", missing)

    outcome = services.backup_database(target=tmp_path)

    assert outcome.status == services.NOT_CONFIGURED
    assert "cutover.backup" in outcome.reason


def test_backup_makes_and_validates_a_real_backup(monkeypatch, tmp_path):
    # given a small legacy SQLite database
    from cutover.legacy_seed import SeedConfig, seed_legacy_database

    legacy = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    seed_legacy_database(legacy, SeedConfig(cadets=8, staff=6, training_days=3))
    monkeypatch.setenv("NODEJS_DATABASE_URL", legacy)

    # when the beat job runs
    outcome = services.backup_database(target=tmp_path / "backups")

    # then a backup file and its manifest exist, and the backup restored to the same content
    assert outcome.status == services.COMPLETED
    assert outcome.validation["ok"] is True
    backup_file = tmp_path / "backups" / outcome.backup["backup"].rsplit("/", 1)[-1]
    assert backup_file.exists()
    assert outcome.backup["total_rows"] > 0
    assert outcome.backup["sha256"]


def test_worker_probe_completes_once_per_task_id():
    first = services.worker_probe(task_id="probe-1", seconds=0)
    again = services.worker_probe(task_id="probe-1", seconds=0)

    assert (first.completed, first.duplicate, first.attempt) == (True, False, 1)
    assert (again.completed, again.duplicate, again.attempt) == (False, True, 2)
    tracked = TrackedTask.objects.get(task_id="probe-1")
    assert tracked.attempts == 2
    assert tracked.completed_at is not None


def test_task_enqueue_sends_only_after_commit(django_capture_on_commit_callbacks, admin_user):
    # given a task that records what it was sent
    sent = []

    class Recorder:
        name = "rgms.tests.recorder"

        def apply_async(self, *, kwargs, task_id):
            sent.append((task_id, kwargs))

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tracked = services.task_enqueue(task=Recorder(), owner=admin_user, kwargs={"x": 1})

    # then nothing left before commit, and exactly the tracked id after it
    assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [(tracked.task_id, {"x": 1})]
    assert TrackedTask.objects.get(task_id=tracked.task_id).owner == admin_user
