"""Seed a database for a load run and write the scenarios' data fixture (LOAD_DATA_FILE).

Realistic in shape and size: a roster of cadets (each with a user account and a grade row),
training days with an attendance mark for every cadet, merit/demerit history, notifications
(personal and global; a full page for the accounts that log in), training staff with
accounts, and one admin. Bulk writes only: the
services are not called, so seeding fires no notifications, audit rows or broadcasts.

Usage (Django settings and DATABASE_URL from the environment, as any backend process)::

    DJANGO_SETTINGS_MODULE=config.settings.production DATABASE_URL=... \\
        python -m loadtests.seed --out load-data.json --cadets 3000 --days 15

The fixture holds the passwords of the accounts the scenarios log in with (``--login-cadets``
cadets, every staff account, the admin): keep it with the throwaway database it describes.
The admin account is written under ``admin`` (the load scenarios ignore it; ``loadtests.run``
uses it to read the server's cache counters).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import secrets
import sys
from pathlib import Path
from typing import Any

from loadtests.common.data import ROSTER_PAGE_SIZE

FIRST_NAMES = ("Juan", "Maria", "Jose", "Ana", "Pedro", "Rosa", "Carlos", "Liza", "Mark", "Aisah")
LAST_NAMES = ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Torres", "Ramos")
COMPANIES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
COURSES = ("BSIT", "BSCS", "BSED", "BSBA", "BSCE", "BSN")
# How the legacy data set's marks are spread: mostly present.
STATUS_WEIGHTS = (("present", 16), ("late", 2), ("absent", 1), ("excused", 1))
LOGIN_CADET_GRADE_NOTIFICATIONS = 30


def seed(
    *,
    cadets: int,
    days: int,
    login_cadets: int,
    staff_accounts: int,
    passwords: dict[str, str],
    rng_seed: int = 20250104,
) -> dict[str, Any]:
    """Bulk-write the data set; returns the LOAD_DATA_FILE document."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from rgms.attendance.models import ATTENDED_STATUSES, AttendanceRecord, TrainingDay
    from rgms.cadets.models import Cadet
    from rgms.grading.models import Grade, MeritDemeritLog
    from rgms.notifications.models import Notification
    from rgms.staff.models import Staff
    from rgms.users.models import Role, User

    rng = random.Random(rng_seed)  # noqa: S311 - test data, not secrets
    hashes = {key: make_password(value) for key, value in passwords.items()}
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
    login_cadets = min(login_cadets, cadets)

    with transaction.atomic():
        training_days = TrainingDay.objects.bulk_create(
            TrainingDay(
                date=datetime.date(2025, 1, 4) + datetime.timedelta(weeks=n),
                title=f"Training day {n + 1}",
                description="Drill and ceremonies",
            )
            for n in range(days)
        )
        cadet_rows = Cadet.objects.bulk_create(
            Cadet(
                student_id=f"2025-{n:05d}",
                first_name=rng.choice(FIRST_NAMES),
                middle_name="M",
                last_name=f"{rng.choice(LAST_NAMES)}{n % 97}",
                email=f"cadet{n}@example.edu",
                contact_number="09171234567",
                address="Marawi City",
                course=rng.choice(COURSES),
                year_level=str(rng.randint(1, 4)),
                school_year="2025-2026",
                battalion="1st",
                company=rng.choice(COMPANIES),
                platoon=str(rng.randint(1, 3)),
                cadet_course="MS1",
                semester="1st",
                gender=rng.choice(("Male", "Female")),
                birthdate=datetime.date(2005, 1, 1) + datetime.timedelta(days=n % 900),
                is_profile_completed=True,
            )
            for n in range(cadets)
        )
        users = User.objects.bulk_create(
            User(
                username=cadet.student_id,
                role=Role.CADET,
                cadet=cadet,
                is_approved=True,
                email=cadet.email,
                # Accounts the scenarios log in with get the run's password; the rest none.
                password=hashes["cadet"] if n < login_cadets else f"!{secrets.token_hex(8)}",
            )
            for n, cadet in enumerate(cadet_rows)
        )
        attended: dict[int, int] = {}
        records: list[AttendanceRecord] = []
        for cadet in cadet_rows:
            for day in training_days:
                status = rng.choice(statuses)
                attended[cadet.pk] = attended.get(cadet.pk, 0) + (status in ATTENDED_STATUSES)
                records.append(
                    AttendanceRecord(
                        training_day=day,
                        cadet=cadet,
                        status=status,
                        time_in="7:05:12 AM" if status != "absent" else None,
                    )
                )
        AttendanceRecord.objects.bulk_create(records, batch_size=5000)
        grades = Grade.objects.bulk_create(
            Grade(
                cadet=cadet,
                attendance_present=attended.get(cadet.pk, 0),
                merit_points=rng.randint(0, 20),
                demerit_points=rng.randint(0, 10),
                prelim_score=rng.randint(60, 100),
                midterm_score=rng.randint(60, 100),
                final_score=rng.randint(60, 100),
                lifetime_merit_points=rng.randint(0, 40),
            )
            for cadet in cadet_rows
        )
        MeritDemeritLog.objects.bulk_create(
            (
                MeritDemeritLog(
                    cadet=cadet,
                    type=rng.choice(("merit", "demerit")),
                    points=rng.randint(1, 5),
                    reason="Formation",
                    issued_by_name="SSg Cruz",
                )
                for cadet in cadet_rows
                for _ in range(2)
            ),
            batch_size=5000,
        )
        now = timezone.now()
        notifications = [
            Notification(
                user=user,
                message=f"Your attendance for Training day {k + 1} was recorded.",
                type="attendance",
                is_read=k % 3 == 0,
                created_at=now - datetime.timedelta(hours=k),
            )
            for user in users
            for k in range(3)
        ]
        # The accounts that log in have a full first page (20) of their own.
        notifications += [
            Notification(
                user=user,
                message="Your grades have been updated.",
                type="grade",
                is_read=k % 3 == 0,
                created_at=now - datetime.timedelta(hours=3 + k),
            )
            for user in users[:login_cadets]
            for k in range(LOGIN_CADET_GRADE_NOTIFICATIONS)
        ]
        notifications += [
            Notification(
                user=None,
                message=f"Announcement {k}: formation at 0700.",
                type="general_update",
                created_at=now - datetime.timedelta(days=k),
            )
            for k in range(10)
        ]
        Notification.objects.bulk_create(notifications, batch_size=5000)
        staff_rows = Staff.objects.bulk_create(
            Staff(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"staff{n}@example.edu",
                rank="SSg",
            )
            for n in range(staff_accounts)
        )
        staff_users = User.objects.bulk_create(
            User(
                username=f"staff{n:02d}",
                role=Role.TRAINING_STAFF,
                staff=staff,
                is_approved=True,
                email=staff.email,
                password=hashes["staff"],
            )
            for n, staff in enumerate(staff_rows)
        )
        User.objects.create(
            username="load-admin",
            role=Role.ADMIN,
            is_approved=True,
            email="load-admin@example.edu",
            password=hashes["admin"],
        )

    cadet_ids = [cadet.pk for cadet in cadet_rows]
    return {
        "cadets": [
            {"username": user.username, "password": passwords["cadet"], "cadet_id": user.cadet_id}
            for user in users[:login_cadets]
        ],
        "staff": [
            {"username": user.username, "password": passwords["staff"]} for user in staff_users
        ],
        "admin": {"username": "load-admin", "password": passwords["admin"]},
        "training_day_ids": [day.pk for day in training_days],
        "grade_ids": [grade.pk for grade in grades],
        "cadet_ids": cadet_ids,
        "roster_pages": max(1, math.ceil(len(cadet_ids) / ROSTER_PAGE_SIZE)),
        "counts": {
            "cadets": len(cadet_rows),
            "training_days": len(training_days),
            "attendance_records": len(records),
            "notifications": len(notifications),
            "staff_accounts": len(staff_users),
        },
    }


def random_passwords() -> dict[str, str]:
    """One password per kind of account, fresh for every run."""
    return {kind: secrets.token_urlsafe(16) for kind in ("cadet", "staff", "admin")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.seed", description="Seed a database for a load run."
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write LOAD_DATA_FILE")
    parser.add_argument("--cadets", type=int, default=600)
    parser.add_argument("--days", type=int, default=8, help="training days")
    parser.add_argument("--login-cadets", type=int, default=100, help="cadets that log in")
    parser.add_argument("--staff", type=int, default=5, help="training staff accounts")
    args = parser.parse_args(argv)

    import django

    django.setup()
    doc = seed(
        cadets=args.cadets,
        days=args.days,
        login_cadets=args.login_cadets,
        staff_accounts=args.staff,
        passwords=random_passwords(),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    args.out.chmod(0o600)  # it holds passwords
    print(f"seeded {doc['counts']}; fixture written to {args.out}")  # noqa: T201 - a CLI
    return 0


if __name__ == "__main__":
    sys.exit(main())
