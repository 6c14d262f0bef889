import factory
from factory.django import DjangoModelFactory

from rgms.audit.models import AuditLog


class AuditLogFactory(DjangoModelFactory):
    class Meta:
        model = AuditLog

    table_name = "merit_demerit_logs"
    operation = "INSERT"
    record_id = factory.Sequence(lambda n: n + 1)
    user_id = None
    payload = factory.LazyAttribute(lambda log: {"id": log.record_id, "points": 2})
