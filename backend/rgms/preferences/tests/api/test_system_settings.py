from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.preferences.keys import SYSTEM_SETTINGS
from rgms.preferences.models import SystemSetting
from rgms.preferences.tests.factories import SystemSettingFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/system-settings/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")
PUBLIC = f"{LIST}dark_mode_default/"
SENSITIVE = f"{LIST}cadet_list_source_url/"


def _codes(*codes: int) -> dict[str, int]:
    return dict(zip(ALL, codes, strict=True))


READ_ANY = _codes(401, 200, 200, 200, 200)
ADMIN_WRITE = _codes(401, 403, 403, 403, 200)

MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", LIST, None, READ_ANY),
    ("post", LIST, {"value": True}, _codes(401, 403, 403, 403, 405)),
    ("get", PUBLIC, None, READ_ANY),
    ("put", PUBLIC, {"value": True}, ADMIN_WRITE),
    ("patch", PUBLIC, {"value": True}, ADMIN_WRITE),
    ("delete", PUBLIC, None, _codes(401, 403, 403, 403, 204)),
    ("get", SENSITIVE, None, _codes(401, 403, 403, 403, 200)),
    ("put", SENSITIVE, {"value": "https://sheets.example.org/c"}, ADMIN_WRITE),
    ("get", f"{LIST}no_such_key/", None, _codes(401, 404, 404, 404, 404)),
    ("put", f"{LIST}no_such_key/", {"value": True}, _codes(401, 403, 403, 403, 404)),
]


@pytest.mark.parametrize(
    ("method", "url", "body", "role", "expected"),
    [(m, u, b, role, code) for m, u, b, codes in MATRIX for role, code in codes.items()],
)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    method: str,
    url: str,
    body: dict[str, Any] | None,
    role: str,
    expected: int,
) -> None:
    # given a stored sensitive setting
    SystemSettingFactory(key="cadet_list_source_url", value="https://sheets.example.org/a")
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, body, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_non_admins_list_only_the_public_keys(
    cadet_client: APIClient, admin_client: APIClient
) -> None:
    # given a stored sensitive setting
    SystemSettingFactory(key="cadet_list_source_url", value="https://sheets.example.org/a")
    # when a cadet and an admin list
    cadet_keys = {row["key"] for row in cadet_client.get(LIST).json()["results"]}
    admin_keys = {row["key"] for row in admin_client.get(LIST).json()["results"]}
    # then the cadet misses the sensitive key, the admin sees every known key
    assert admin_keys == set(SYSTEM_SETTINGS)
    assert cadet_keys == set(SYSTEM_SETTINGS) - {"cadet_list_source_url"}


def test_values_are_typed(admin_client: APIClient) -> None:
    # given legacy text values
    SystemSettingFactory(key="email_alerts_default", value="0")
    SystemSettingFactory(key="primary_color", value="green")
    # when they are read
    rows = {row["key"]: row for row in admin_client.get(LIST).json()["results"]}
    # then booleans are booleans and absent keys show their default
    assert rows["email_alerts_default"]["value"] is False
    assert rows["email_alerts_default"]["is_default"] is False
    assert rows["primary_color"]["value"] == "green"
    assert rows["dark_mode_default"] == {
        "key": "dark_mode_default",
        "value": False,
        "is_default": True,
        "sensitive": False,
        "description": SYSTEM_SETTINGS["dark_mode_default"].description,
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("dark_mode_default", "true"),
        ("dark_mode_default", 1),
        ("dark_mode_default", None),
        ("primary_color", "<script>"),
        ("primary_color", True),
        ("cadet_list_source_url", "ftp://files.example.org/cadets.csv"),
        ("cadet_list_source_url", "not a url"),
    ],
)
def test_bad_values_are_refused_and_nothing_written(
    admin_client: APIClient, key: str, value: Any
) -> None:
    # when the admin sets a value of the wrong type
    response = admin_client.put(f"{LIST}{key}/", {"value": value}, format="json")
    # then 400 names the value and nothing is stored
    assert response.status_code == 400
    assert "value" in response.json()["errors"]
    assert not SystemSetting.objects.exists()


def test_missing_value_is_refused(admin_client: APIClient) -> None:
    # when the admin sends no value
    response = admin_client.put(PUBLIC, {}, format="json")
    # then 400 names it
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_reads_right_after_a_write_are_never_stale(
    admin_client: APIClient, cadet_client: APIClient
) -> None:
    # given a cached read of the dark mode default (false)
    assert cadet_client.get(PUBLIC).json()["value"] is False
    assert cadet_client.get(PUBLIC).json()["value"] is False
    # when the admin switches it on, and later resets it
    admin_client.put(PUBLIC, {"value": True}, format="json")
    after_set = cadet_client.get(PUBLIC).json()["value"]
    listed = {row["key"]: row["value"] for row in cadet_client.get(LIST).json()["results"]}
    new_users_dark = admin_client.get("/api/v1/settings/me/").json()["dark_mode"]
    admin_client.delete(PUBLIC)
    after_reset = cadet_client.get(PUBLIC).json()["value"]
    # then every read reflects the write just before it
    assert after_set is True
    assert listed["dark_mode_default"] is True
    assert new_users_dark is True
    assert after_reset is False
