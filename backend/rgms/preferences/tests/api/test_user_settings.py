from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.preferences.models import UserSettings
from rgms.preferences.tests.factories import UserSettingsFactory
from rgms.users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings/me/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")
FULL = {
    "email_alerts": False,
    "push_notifications": True,
    "activity_updates": False,
    "dark_mode": True,
    "compact_mode": True,
    "primary_color": "#1e40af",
    "custom_bg": "https://img.example.org/bg.jpg",
}


@pytest.mark.parametrize(
    ("method", "body", "codes"),
    [
        ("get", None, (401, 200, 200, 200, 200)),
        ("put", FULL, (401, 200, 200, 200, 200)),
        ("patch", {"dark_mode": True}, (401, 200, 200, 200, 200)),
        ("post", FULL, (401, 405, 405, 405, 405)),
        ("delete", None, (401, 405, 405, 405, 405)),
    ],
)
@pytest.mark.parametrize("role", ALL)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    method: str,
    body: dict[str, Any] | None,
    codes: tuple[int, ...],
    role: str,
) -> None:
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(URL, body, format="json")
    # then the status is the one the matrix states
    assert response.status_code == dict(zip(ALL, codes, strict=True))[role], response.content


def test_each_user_gets_their_own(
    cadet_client: APIClient, other_cadet_client: APIClient, cadet_user: User
) -> None:
    # given the cadet's dark mode is on
    UserSettingsFactory(user=cadet_user, dark_mode=True)
    # when each cadet reads their settings
    mine = cadet_client.get(URL).json()
    theirs = other_cadet_client.get(URL).json()
    # then each sees their own row; the second was created with the defaults
    assert (mine["user_id"], mine["dark_mode"]) == (cadet_user.pk, True)
    assert theirs["user_id"] != cadet_user.pk
    assert theirs["dark_mode"] is False
    assert theirs["primary_color"] == "blue"


def test_put_replaces_and_patch_updates(cadet_client: APIClient, cadet_user: User) -> None:
    # when the cadet replaces their settings, then switches dark mode off
    put = cadet_client.put(URL, FULL, format="json")
    patch = cadet_client.patch(URL, {"dark_mode": False}, format="json")
    # then the replacement holds everything sent, and the patch only what it names
    assert put.status_code == 200
    assert {key: put.json()[key] for key in FULL} == FULL
    assert patch.json() == {**FULL, "user_id": cadet_user.pk, "dark_mode": False}


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("put", {**FULL, "dark_mode": "yes"}, "dark_mode"),
        ("put", {**FULL, "email_alerts": 1}, "email_alerts"),
        (
            "put",
            {key: value for key, value in FULL.items() if key != "compact_mode"},
            "compact_mode",
        ),
        ("patch", {"primary_color": "red; background: url(x)"}, "primary_color"),
        ("patch", {"primary_color": "x" * 31}, "primary_color"),
        ("patch", {"primary_color": None}, "primary_color"),
        ("patch", {"custom_bg": "javascript:alert(1)"}, "custom_bg"),
        ("patch", {"custom_bg": 12}, "custom_bg"),
        ("patch", {"push_notifications": None}, "push_notifications"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    cadet_client: APIClient, cadet_user: User, method: str, body: dict[str, Any], field: str
) -> None:
    # given the cadet's settings
    UserSettingsFactory(user=cadet_user)
    # when invalid input is sent
    response = getattr(cadet_client, method)(URL, body, format="json")
    # then 400 names the field and the row is unchanged
    assert response.status_code == 400
    assert field in response.json()["errors"]
    row = UserSettings.objects.get(user=cadet_user)
    assert (row.dark_mode, row.email_alerts, row.primary_color, row.custom_bg) == (
        False,
        True,
        "blue",
        None,
    )
