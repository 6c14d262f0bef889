"""Write mix: what staff change during and after a training day, plus logins.

Staff mark attendance (``POST /api/v1/attendance/`` with ``{training_day, cadet, status}``), update
grade scores (``PATCH /api/v1/grades/<id>/``), record merits and demerits
(``POST /api/v1/merit-demerit-logs/`` with ``{cadet, type, points, reason}``) and log in again.

Judged class: write (p95 < 2000 ms). Attendance marks walk the (training day, cadet) pairs in turn
from a random start, so a run rarely marks the same pair twice; a mark of an already marked pair is
expected to update it (200) as the legacy mark did. Merit entries and notifications accumulate:
run it against staging or a throwaway database, never production. Run from the repository root::

    LOAD_DATA_FILE=load-data.json locust --config loadtests/locust.conf \\
        -f loadtests/locustfiles/write_mix.py -H http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import random
from http import HTTPStatus
from typing import Any, ClassVar

from locust import HttpUser, between, task

from loadtests.common import endpoints
from loadtests.common.auth import ApiUser
from loadtests.common.data import Credentials, LoadData, RoundRobin
from loadtests.common.locust_hooks import install, scenario_data
from loadtests.common.thresholds import RequestClass

install()

WRITE = RequestClass.WRITE
ATTENDANCE_STATUSES = ("present", "absent", "late", "excused")
CREATED_OR_UPDATED = (HTTPStatus.OK, HTTPStatus.CREATED)
# Not security-relevant: only spreads the writes over rows.
_rng = random.Random()  # noqa: S311


def json_object(data: Any) -> str | None:
    """A response body must be a JSON object."""
    return None if isinstance(data, dict) else "body is not a JSON object"


class _Shared:
    """Pickers shared by all users of this process, built from the fixture on first use."""

    staff: RoundRobin[Credentials] | None = None
    pairs: RoundRobin[tuple[int, int]] | None = None

    @classmethod
    def build(cls, data: LoadData) -> tuple[RoundRobin[Credentials], RoundRobin[tuple[int, int]]]:
        if cls.staff is None:
            cls.staff = RoundRobin(data.staff, start=_rng.randrange(len(data.staff)))
        if cls.pairs is None:
            pairs = list(itertools.product(data.training_day_ids, data.cadet_ids))
            cls.pairs = RoundRobin(pairs, start=_rng.randrange(len(pairs)))
        return cls.staff, cls.pairs


class StaffWriter(HttpUser):
    """A staff member recording a training day."""

    load_classes: ClassVar[tuple[RequestClass, ...]] = (WRITE,)
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.data = scenario_data(self.environment)
        staff, self.pairs = _Shared.build(self.data)
        self.api = ApiUser(self.client, staff.next(), login_class=WRITE)
        self.api.login()

    @task(40)
    def mark_attendance(self) -> None:
        training_day, cadet = self.pairs.next()
        self.api.call(
            "POST",
            endpoints.ATTENDANCE,
            name=endpoints.NAME_ATTENDANCE_MARK,
            load_class=WRITE,
            expect=CREATED_OR_UPDATED,
            body={
                "training_day": training_day,
                "cadet": cadet,
                "status": _rng.choice(ATTENDANCE_STATUSES),
            },
            validate=json_object,
        )

    @task(20)
    def update_grade(self) -> None:
        # All three scores, always: the legacy UI sent complete payloads.
        self.api.call(
            "PATCH",
            endpoints.grade_detail(_rng.choice(self.data.grade_ids)),
            name=endpoints.NAME_GRADE_UPDATE,
            load_class=WRITE,
            body={
                "prelim_score": _rng.randint(60, 100),
                "midterm_score": _rng.randint(60, 100),
                "final_score": _rng.randint(60, 100),
            },
            validate=json_object,
        )

    @task(20)
    def record_merit_or_demerit(self) -> None:
        self.api.call(
            "POST",
            endpoints.MERIT_DEMERIT_LOGS,
            name=endpoints.NAME_MERIT_DEMERIT_CREATE,
            load_class=WRITE,
            expect=(HTTPStatus.CREATED,),
            body={
                "cadet": _rng.choice(self.data.cadet_ids),
                "type": _rng.choice(("merit", "demerit")),
                "points": _rng.randint(1, 5),
                "reason": "load test entry",
            },
            validate=json_object,
        )

    @task(1)
    def login_again(self) -> None:
        # One task in 81 (about every 100 s per user): a staff member signs in again now and
        # then, not every few requests. Each login verifies a bcrypt-SHA256 hash (cost 12,
        # about 250 ms of CPU), so a higher share would measure bcrypt, not the write path.
        self.api.login()
