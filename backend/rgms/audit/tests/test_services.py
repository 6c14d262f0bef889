import pytest

from rgms.audit.models import AuditLog
from rgms.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_saves_every_field() -> None:
    # when a security event is recorded
    record = audit_record(
        table_name="users",
        operation="LOGIN_FAILED",
        record_id=7,
        user_id=7,
        payload={"username": "cadet-7"},
        ip_address="203.0.113.9",
    )
    # then the row holds it all, with a time
    row = AuditLog.objects.get(pk=record.pk)
    assert (row.table_name, row.operation, row.record_id, row.user_id) == (
        "users",
        "LOGIN_FAILED",
        7,
        7,
    )
    assert row.payload == {"username": "cadet-7"}
    assert row.ip_address == "203.0.113.9"
    assert row.created_at is not None
