import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.audit.tests.factories import AuditLogFactory

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, page_size: int) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get("/api/v1/audit-logs/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    return len(context.captured_queries)


def test_audit_log_list_queries_do_not_grow_with_page_size(admin_client: APIClient) -> None:
    # given 150 records
    AuditLogFactory.create_batch(150)
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(admin_client, 1) == _queries(admin_client, 100)
