"""OPTIONS answers every API view, including those without a serializer_class or queryset."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cadets/",
        "/api/v1/cadets/1/restore/",  # a viewset action: no serializer_class on the viewset
        "/api/v1/settings/me/",  # an API view without queryset
        "/api/v1/excuse-letters/1/approve/",
    ],
)
def test_options_describes_the_view_without_introspecting_serializers(
    admin_client: APIClient, path: str
) -> None:
    response = admin_client.options(path)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"name", "renders", "parses"}
    assert "actions" not in body
