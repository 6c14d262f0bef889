"""A small, realistic data set for the in-process contract run.

One account per role (random passwords, logged in through the real endpoint later), the cadet
and staff profiles behind them plus a few others, training days with attendance, grades,
merit/demerit entries, excuse letters, activities with images, notifications (personal and
global), messages, settings, push subscriptions and audit rows. Enough that generated ids hit
real rows of every resource, including rows that belong to someone else (for the 403/404
paths of the cadet role).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

API = "/api/v1"


@dataclass
class SeededData:
    credentials: dict[str, tuple[str, str]]
    collections: dict[str, list[Any]] = field(default_factory=dict)


def seed_contract_data() -> SeededData:
    from rgms.activities.tests.factories import ActivityFactory, ActivityImageFactory
    from rgms.attendance.models import AttendanceStatus
    from rgms.attendance.tests.factories import (
        AttendanceRecordFactory,
        ExcuseLetterFactory,
        StaffAttendanceRecordFactory,
        TrainingDayFactory,
    )
    from rgms.audit.tests.factories import AuditLogFactory
    from rgms.cadets.tests.factories import CadetFactory
    from rgms.grading.models import Grade
    from rgms.grading.tests.factories import MeritDemeritLogFactory
    from rgms.messaging.tests.factories import AdminMessageFactory, StaffMessageFactory
    from rgms.notifications.tests.factories import NotificationFactory, PushSubscriptionFactory
    from rgms.preferences.tests.factories import SystemSettingFactory, UserSettingsFactory
    from rgms.staff.tests.factories import StaffFactory
    from rgms.users.models import Role, User

    passwords = {key: secrets.token_urlsafe(12) for key in ("admin", "staff", "cadet")}

    cadets = [CadetFactory() for _ in range(6)]
    for cadet in cadets:
        Grade.objects.create(cadet=cadet, prelim_score=80, midterm_score=85, final_score=90)
    staff_profiles = [StaffFactory() for _ in range(3)]

    admin = User.objects.create_user(
        username="contract-admin",
        password=passwords["admin"],
        role=Role.ADMIN,
        is_approved=True,
        email="contract-admin@example.edu",
    )
    staff_user = User.objects.create_user(
        username="contract-staff",
        password=passwords["staff"],
        role=Role.TRAINING_STAFF,
        staff=staff_profiles[0],
        is_approved=True,
        email="contract-staff@example.edu",
    )
    cadet_user = User.objects.create_user(
        username="contract-cadet",
        password=passwords["cadet"],
        role=Role.CADET,
        cadet=cadets[0],
        is_approved=True,
        email=cadets[0].email,
    )
    other_cadet_user = User.objects.create_user(
        username="contract-other-cadet",
        password=secrets.token_urlsafe(12),
        role=Role.CADET,
        cadet=cadets[1],
        is_approved=True,
        email=cadets[1].email,
    )
    users = [admin, staff_user, cadet_user, other_cadet_user]

    days = [
        TrainingDayFactory(date=datetime.date(2025, 1, 4) + datetime.timedelta(weeks=n))
        for n in range(4)
    ]
    statuses = list(AttendanceStatus)
    for i, cadet in enumerate(cadets):
        for j, day in enumerate(days[:3]):
            AttendanceRecordFactory(
                cadet=cadet, training_day=day, status=statuses[(i + j) % len(statuses)]
            )
    for staff in staff_profiles:
        StaffAttendanceRecordFactory(staff=staff, training_day=days[0])
    for cadet in cadets[:3]:
        MeritDemeritLogFactory(cadet=cadet)
        MeritDemeritLogFactory(cadet=cadet, type="demerit", points=1, reason="Late")
    ExcuseLetterFactory(cadet=cadets[0], training_day=days[3])
    ExcuseLetterFactory(cadet=cadets[1], training_day=days[3])
    for _ in range(3):
        ActivityImageFactory(activity=ActivityFactory())
    for user in users:
        NotificationFactory(user=user, message=f"Hello {user.username}")
        UserSettingsFactory(user=user)
    NotificationFactory(user=None, message="Formation at 0700.")
    StaffMessageFactory(sender_staff=staff_profiles[0])
    AdminMessageFactory(user=cadet_user)
    AdminMessageFactory(user=other_cadet_user)
    AdminMessageFactory(user=None)
    SystemSettingFactory(key="dark_mode_default", value="false")
    SystemSettingFactory(key="school_year", value="2025-2026")
    for user in (cadet_user, staff_user):
        PushSubscriptionFactory(user_id=user.pk)
    for _ in range(3):
        AuditLogFactory()

    return SeededData(
        credentials={
            "admin": (admin.username, passwords["admin"]),
            "staff": (staff_user.username, passwords["staff"]),
            "cadet": (cadet_user.username, passwords["cadet"]),
        },
        collections={"users": [user.pk for user in users]},
    )


def seed_through_the_api(seeded: SeededData, admin: Any) -> None:
    """Rows only the API makes in one piece: a report with its task, and an uploaded file.

    ``admin`` is a logged-in ``contract.support.RoleSession`` of the in-process target.
    """
    import io

    from PIL import Image

    answer = admin.transport.request(
        "POST", f"{API}/reports/", body={"kind": "roster_csv"}, headers=admin.headers()
    )
    if answer.status == 202 and isinstance(answer.body, dict):
        seeded.collections[f"{API}/tasks/"] = [answer.body["task_id"]]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (31, 59, 45)).save(buffer, format="PNG")
    answer = admin.transport.upload(
        f"{API}/files/upload",
        field="file",
        filename="insignia.png",
        content=buffer.getvalue(),
        headers=admin.headers(),
    )
    if answer.status == 201 and isinstance(answer.body, dict):
        seeded.collections[f"{API}/files/"] = [answer.body["id"]]
