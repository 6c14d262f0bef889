"""Admin-site edits of cadets and grades drop the cached roster and profiles (no stale read
after an edit made there either); the merit/demerit ledger is read-only in the admin."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from conftest import bearer_client
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.grading.models import Grade
from rgms.grading.tests.factories import GradeFactory
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)

ROSTER = "/api/v1/cadets/"


def roster(client: APIClient) -> dict[str, dict]:
    return {row["student_id"]: row for row in client.get(ROSTER).json()["results"]}


def admin_save(model: type, obj: object, *, initial: dict | None = None) -> None:
    model_admin = admin.site._registry[model]
    form = SimpleNamespace(initial=initial or {})
    model_admin.save_model(RequestFactory().post("/admin/"), obj, form, change=True)


def test_a_cadet_edited_in_the_admin_shows_at_once(staff_client: APIClient) -> None:
    cadet = CadetFactory(company="Alpha")
    assert roster(staff_client)[cadet.student_id]["company"] == "Alpha"  # cached now

    cadet.company = "Bravo"
    admin_save(Cadet, cadet)

    assert roster(staff_client)[cadet.student_id]["company"] == "Bravo"


def test_cadets_deleted_in_the_admin_leave_the_roster_at_once(staff_client: APIClient) -> None:
    cadets = CadetFactory.create_batch(2)
    assert len(roster(staff_client)) == 2

    model_admin = admin.site._registry[Cadet]
    model_admin.delete_queryset(RequestFactory().post("/admin/"), Cadet.objects.all())

    assert roster(staff_client) == {}
    assert not Cadet.objects.filter(pk__in=[c.pk for c in cadets]).exists()


def test_a_grade_edited_in_the_admin_shows_at_once(
    make_user: Callable[..., User],
) -> None:
    grade = GradeFactory(prelim_score=70)
    cadet = bearer_client(make_user(Role.CADET, cadet=grade.cadet))
    profile = f"/api/v1/cadets/{grade.cadet_id}/"
    assert cadet.get(profile).json()["prelim_score"] == 70  # cached now

    grade.prelim_score = 95
    admin_save(Grade, grade, initial={"cadet": grade.cadet_id})

    assert cadet.get(profile).json()["prelim_score"] == 95


def test_the_merit_demerit_ledger_is_read_only_in_the_admin(
    make_user: Callable[..., User],
) -> None:
    site = Client()
    site.force_login(make_user(Role.ADMIN, is_superuser=True))
    assert site.get("/admin/grading/meritdemeritlog/").status_code == 200
    assert site.get("/admin/grading/meritdemeritlog/add/").status_code == 403
