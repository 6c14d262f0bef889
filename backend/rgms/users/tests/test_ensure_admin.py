"""manage.py ensure_admin: the first admin from arguments or INITIAL_ADMIN_*, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rgms.audit.models import AuditLog
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

STRONG = "Commandant's first passphrase 2026"


def run(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_creates_an_approved_admin_from_arguments() -> None:
    # when
    output = run("--username", "ops-admin", "--email", "ops@example.edu", "--password", STRONG)
    # then
    user = User.objects.get(username="ops-admin")
    assert user.role == Role.ADMIN
    assert user.is_approved
    assert not user.is_archived
    assert user.is_superuser
    assert user.email == "ops@example.edu"
    assert user.check_password(STRONG)
    assert "Created admin" in output
    assert AuditLog.objects.filter(operation="admin_created", record_id=user.pk).exists()


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INITIAL_ADMIN_USERNAME", "env-admin")
    monkeypatch.setenv("INITIAL_ADMIN_EMAIL", "env@example.edu")
    monkeypatch.setenv("INITIAL_ADMIN_PASSWORD", STRONG)
    run()
    user = User.objects.get(username="env-admin")
    assert user.role == Role.ADMIN
    assert user.check_password(STRONG)


def test_is_idempotent() -> None:
    # given an admin created once
    run("--username", "ops-admin", "--password", STRONG)
    stored = User.objects.get(username="ops-admin").password
    # when run again, even with another password
    output = run("--username", "ops-admin", "--password", "Another strong passphrase 99")
    # then nothing changed
    assert User.objects.filter(username="ops-admin").count() == 1
    assert User.objects.get(username="ops-admin").password == stored
    assert "nothing changed" in output


def test_reset_password_on_request() -> None:
    run("--username", "ops-admin", "--password", STRONG)
    run("--username", "ops-admin", "--password", "Another strong passphrase 99", "--reset-password")
    assert User.objects.get(username="ops-admin").check_password("Another strong passphrase 99")


def test_refuses_without_username_or_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INITIAL_ADMIN_USERNAME", "INITIAL_ADMIN_EMAIL", "INITIAL_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="username"):
        run()
    with pytest.raises(CommandError, match="password"):
        run("--username", "ops-admin")
    assert not User.objects.exists()


def test_skip_if_unset_for_deploy_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INITIAL_ADMIN_USERNAME", raising=False)
    assert "no admin created" in run("--skip-if-unset")
    assert not User.objects.exists()


def test_refuses_weak_passwords() -> None:
    with pytest.raises(CommandError, match="too weak"):
        run("--username", "ops-admin", "--password", "admin123")
    assert not User.objects.exists()


def test_never_seeds_the_legacy_default_admin() -> None:
    with pytest.raises(CommandError, match="legacy default admin"):
        run("--username", "msu-sndrotc_admin", "--password", STRONG)
    assert not User.objects.exists()


def test_does_not_promote_an_existing_non_admin(make_user) -> None:
    make_user(Role.CADET, username="taken")
    with pytest.raises(CommandError, match="not changing it"):
        run("--username", "taken", "--password", STRONG)
    assert User.objects.get(username="taken").role == Role.CADET
