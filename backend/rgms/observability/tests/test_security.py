"""Security audit trail: admin-endpoint denials, role changes, retention never shortened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from config import env
from rgms.audit.models import AuditLog
from rgms.observability import security
from rgms.users.models import Role
from rgms.users.services import user_role_change

pytestmark = pytest.mark.django_db


def _denials() -> list[AuditLog]:
    return list(AuditLog.objects.filter(table_name="security", operation="permission_denied"))


def test_denial_on_an_admin_endpoint_is_audited(cadet_user, cadet_client) -> None:
    # when a cadet asks for an admin-only endpoint, from behind Render's proxy
    response = cadet_client.get(
        "/api/v1/metrics/summary",
        HTTP_X_REQUEST_ID="deny-req-0001",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    # then the answer is the one error body, unchanged
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    # and one audit row names who, what, from where
    [row] = _denials()
    assert row.user_id == cadet_user.pk
    assert row.ip_address == "203.0.113.7"
    assert row.payload["route"] == "/api/v1/metrics/summary"
    assert row.payload["method"] == "GET"
    assert row.payload["role"] == Role.CADET
    assert row.payload["view"] == "MetricsSummaryApi"
    assert row.payload["request_id"] == "deny-req-0001"


def test_denial_on_an_admin_write_is_audited(staff_client) -> None:
    # the system settings are readable by all roles, writable by admins (ReadAnyWriteAdmin)
    from django.urls import reverse

    url = reverse("v1:system-setting-detail", kwargs={"key": "any-key"})
    # a read is no denial; a write by staff is
    staff_client.get(reverse("v1:system-setting-list"))
    response = staff_client.put(url, {"value": "y"}, format="json")
    assert response.status_code == 403
    [row] = _denials()
    assert row.payload["method"] == "PUT"
    assert row.payload["route"] == "/api/v1/system-settings/<key>/"


def test_unauthenticated_requests_are_not_audited(api_client) -> None:
    assert api_client.get("/api/v1/metrics/summary").status_code == 401
    assert _denials() == []


def test_denials_on_non_admin_endpoints_are_not_audited(rf, cadet_user) -> None:
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.views import APIView

    from rgms.api.permissions import IsStaffOrAdmin

    class StaffView(APIView):
        permission_classes = [IsAuthenticated, IsStaffOrAdmin]

    request = rf.get("/x")
    assert security.audit_permission_denied(request=request, view=StaffView()) is None
    assert _denials() == []


def test_admin_endpoint_detection(rf) -> None:
    from rest_framework.views import APIView

    from rgms.api.permissions import IsAdmin, ReadAnyWriteAdmin

    class AdminOnly(APIView):
        permission_classes = [IsAdmin]

    class AdminWrites(APIView):
        permission_classes = [ReadAnyWriteAdmin]

    assert security.is_admin_endpoint(rf.get("/"), AdminOnly())
    assert security.is_admin_endpoint(rf.post("/"), AdminWrites())
    assert not security.is_admin_endpoint(rf.get("/"), AdminWrites())


def test_role_change_is_audited(admin_user, cadet_user) -> None:
    # when an admin makes a cadet training staff
    user_role_change(
        user=cadet_user, role=Role.TRAINING_STAFF, changed_by=admin_user, ip_address="10.0.0.1"
    )
    # then the role is saved and the change is on record
    cadet_user.refresh_from_db()
    assert cadet_user.role == Role.TRAINING_STAFF
    [row] = AuditLog.objects.filter(table_name="security", operation="role_changed")
    assert row.record_id == cadet_user.pk
    assert row.user_id == admin_user.pk
    assert row.ip_address == "10.0.0.1"
    assert row.payload["old_role"] == Role.CADET
    assert row.payload["new_role"] == Role.TRAINING_STAFF


def test_unchanged_role_writes_nothing(admin_user, cadet_user) -> None:
    user_role_change(user=cadet_user, role=Role.CADET, changed_by=admin_user)
    assert not AuditLog.objects.filter(operation="role_changed").exists()


def test_unknown_role_is_refused(admin_user, cadet_user) -> None:
    with pytest.raises(ValidationError):
        user_role_change(user=cadet_user, role="superhero", changed_by=admin_user)


def _row(table: str, age_days: int) -> AuditLog:
    return AuditLog.objects.create(
        table_name=table,
        operation="x",
        created_at=timezone.now() - timedelta(days=age_days),
    )


def test_retention_deletes_only_old_security_rows(settings) -> None:
    # given a retention of 365 days and rows on both sides of it
    settings.AUDIT_RETENTION_DAYS = 365
    old_auth, old_security = _row("auth", 400), _row("security", 366)
    recent_auth = _row("auth", 364)
    old_merit = _row("merit_demerit_logs", 4000)  # the unit's history, not a security event
    # when the cleanup runs (in small batches)
    deleted = security.audit_retention_cleanup(batch_size=1)
    # then exactly the two expired security rows are gone
    assert deleted == 2
    remaining = set(AuditLog.objects.values_list("pk", flat=True))
    assert old_auth.pk not in remaining
    assert old_security.pk not in remaining
    assert {recent_auth.pk, old_merit.pk} <= remaining


def test_retention_below_the_minimum_refuses_to_run(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = env.MIN_AUDIT_RETENTION_DAYS - 1
    _row("auth", 1000)
    with pytest.raises(ValueError, match="minimum"):
        security.audit_retention_cleanup()
    assert AuditLog.objects.count() == 1


@pytest.mark.parametrize("value", ["30", "89", "0", "-5", "abc"])
def test_environment_refuses_a_short_retention(monkeypatch, value: str) -> None:
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="AUDIT_RETENTION_DAYS"):
        env.get("AUDIT_RETENTION_DAYS")
    assert any(line.startswith("AUDIT_RETENTION_DAYS:") for line in env.problems(()))


def test_environment_accepts_the_minimum_and_defaults_to_a_year(monkeypatch) -> None:
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", str(env.MIN_AUDIT_RETENTION_DAYS))
    assert env.get("AUDIT_RETENTION_DAYS") == env.MIN_AUDIT_RETENTION_DAYS
    monkeypatch.delenv("AUDIT_RETENTION_DAYS")
    assert env.get("AUDIT_RETENTION_DAYS") == 365


def test_environment_refuses_a_short_metrics_token(monkeypatch) -> None:
    monkeypatch.setenv("METRICS_TOKEN", "short")
    with pytest.raises(ImproperlyConfigured, match="METRICS_TOKEN"):
        env.get("METRICS_TOKEN")
