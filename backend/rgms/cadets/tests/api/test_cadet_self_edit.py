"""/api/v1/cadets/me/: a cadet reads and edits their own profile, only the fields the legacy
profile form had; completing the profile locks it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.audit.models import SyncEvent
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db

ME = "/api/v1/cadets/me/"

COMPLETE = {
    "first_name": "Juan",
    "last_name": "Dela Cruz",
    "email": "juan@example.edu",
    "contact_number": "09171234567",
    "address": "Marawi City",
    "gender": "Male",
    "course": "BSIT",
    "year_level": "2",
    "school_year": "2025-2026",
    "battalion": "1st",
    "company": "Alpha",
    "platoon": "1",
    "cadet_course": "MS1",
    "semester": "1st",
}


@pytest.fixture
def open_cadet(cadet: Cadet) -> Cadet:
    """The owner's profile, not completed yet (so editable)."""
    cadet.is_profile_completed = False
    cadet.save(update_fields=["is_profile_completed"])
    return cadet


MATRIX = [
    ("get", "me", (401, 200, 200, 403, 403)),
    ("patch", "me", (401, 200, 200, 403, 403)),
]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    open_cadet: Cadet,
    other_cadet: Cadet,
    method: str,
    target: str,
    role: str,
    expected: int,
) -> None:
    # given both cadets with editable profiles
    Cadet.objects.filter(pk=other_cadet.pk).update(is_profile_completed=False)
    # when
    response = call(role_clients[role], method, ME, {"address": "Iligan City"})
    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_each_cadet_reads_and_edits_only_their_own(
    cadet_client: APIClient, open_cadet: Cadet, other_cadet: Cadet
) -> None:
    # when the owner reads and edits "me"
    assert cadet_client.get(ME).json()["id"] == open_cadet.pk
    response = cadet_client.patch(ME, {"address": "Iligan City"}, format="json")
    # then only their row changed
    assert response.status_code == 200
    assert response.json()["id"] == open_cadet.pk
    assert response.json()["address"] == "Iligan City"
    other_cadet.refresh_from_db()
    assert other_cadet.address != "Iligan City"


@pytest.mark.parametrize(
    "field", ["student_id", "rank", "status", "is_archived", "has_seen_guide", "username", "id"]
)
def test_locked_fields_are_refused_by_name(
    cadet_client: APIClient, open_cadet: Cadet, field: str
) -> None:
    # when a field outside the legacy profile form is sent
    response = cadet_client.patch(ME, {field: "X", "address": "New"}, format="json")
    # then 400 names it, and nothing changed
    assert response.status_code == 400
    assert field in response.json()["errors"]
    open_cadet.refresh_from_db()
    assert open_cadet.address != "New"


def test_bad_values_are_400_on_the_field(cadet_client: APIClient, open_cadet: Cadet) -> None:
    response = cadet_client.patch(
        ME, {"email": "nope", "birthdate": "2999-01-01", "last_name": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"email", "birthdate", "last_name"} <= set(response.json()["errors"])


def test_completing_requires_the_legacy_fields_then_locks(
    cadet_client: APIClient,
    open_cadet: Cadet,
    cadet_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    # given a profile missing fields
    Cadet.objects.filter(pk=open_cadet.pk).update(battalion=None, semester=None)
    # when it is completed without them, then 400 names each
    response = cadet_client.patch(ME, {"is_profile_completed": True}, format="json")
    assert response.status_code == 400
    assert {"battalion", "semester"} <= set(response.json()["errors"])
    # when completed with every field
    with django_capture_on_commit_callbacks(execute=True):
        response = cadet_client.patch(ME, {**COMPLETE, "is_profile_completed": True}, format="json")
    # then it is complete, verified, the login email follows, admins are told
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["is_profile_completed"], body["status"]) == (True, "Verified")
    cadet_user.refresh_from_db()
    assert cadet_user.email == COMPLETE["email"]
    assert Notification.objects.filter(user=None, type="profile_update").exists()
    event = SyncEvent.objects.get(event_type="cadet_profile_updated")
    assert event.cadet_id == open_cadet.pk
    assert event.payload == {"cadetId": open_cadet.pk, "isComplete": True}
    # and the profile is locked from now on
    locked = cadet_client.patch(ME, {"address": "Elsewhere"}, format="json")
    assert locked.status_code == 403
    assert "locked" in locked.json()["message"]


def test_uncompleting_is_refused(cadet_client: APIClient, open_cadet: Cadet) -> None:
    response = cadet_client.patch(ME, {"is_profile_completed": False}, format="json")
    assert response.status_code == 400
    assert "is_profile_completed" in response.json()["errors"]


def test_an_email_of_another_account_is_a_conflict(
    cadet_client: APIClient, open_cadet: Cadet, other_cadet_user: User
) -> None:
    User.objects.filter(pk=other_cadet_user.pk).update(email="taken@example.edu")
    response = cadet_client.patch(ME, {"email": "Taken@example.edu"}, format="json")
    assert response.status_code == 409
    assert "email" in response.json()["errors"]


def test_profile_read_after_the_edit_is_fresh(
    cadet_client: APIClient, open_cadet: Cadet, django_capture_on_commit_callbacks
) -> None:
    assert cadet_client.get(ME).json()["address"] == open_cadet.address
    with django_capture_on_commit_callbacks(execute=True):
        cadet_client.patch(ME, {"address": "Fresh"}, format="json")
    assert cadet_client.get(ME).json()["address"] == "Fresh"
    assert cadet_client.get(f"/api/v1/cadets/{open_cadet.pk}/").json()["address"] == "Fresh"


def test_a_cadet_account_without_a_profile_is_403(cadet_client: APIClient) -> None:
    # given a cadet account not linked to a cadet row (cadet_client's user, no `cadet` fixture)
    # then there is no "me" to read or edit
    assert cadet_client.get(ME).status_code == 403
    assert cadet_client.patch(ME, {"address": "X"}, format="json").status_code == 403


def test_query_count_does_not_grow_with_the_fields_sent(
    cadet_client: APIClient, open_cadet: Cadet
) -> None:
    # given one field, then every editable field but the email (which also checks accounts)
    many = {k: v for k, v in COMPLETE.items() if k != "email"}
    cadet_client.patch(ME, {"address": "Warm"}, format="json")
    warm_shared_lookups(cadet_client)
    with CaptureQueriesContext(connection) as one:
        cadet_client.patch(ME, {"address": "One"}, format="json")
    warm_shared_lookups(cadet_client)
    with CaptureQueriesContext(connection) as all_fields:
        cadet_client.patch(ME, {**many, "address": "Two"}, format="json")
    # then the same queries run
    assert len(one.captured_queries) == len(all_fields.captured_queries)


def test_other_cadets_cannot_be_edited_through_their_id(
    cadet_client: APIClient, open_cadet: Cadet, other_cadet: Cadet
) -> None:
    response = cadet_client.patch(
        f"/api/v1/cadets/{other_cadet.pk}/", {"address": "Hacked"}, format="json"
    )
    assert response.status_code == 403
    CadetFactory()  # the roster still hides other cadets from a cadet
    assert [r["id"] for r in cadet_client.get("/api/v1/cadets/").json()["results"]] == [
        open_cadet.pk
    ]
