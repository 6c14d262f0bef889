"""Errors outside DRF views use the same body: unknown URLs, non-numeric ids, bad tokens."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_unknown_url_is_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "Not found.", "errors": {}}


def test_bad_token_message_is_kept(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/auth/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_not_valid"
    assert body["message"] != "Request failed."
    assert "token" in body["message"].lower()
