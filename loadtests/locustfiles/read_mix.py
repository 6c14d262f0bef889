"""Read mix: what the legacy UI read most, by cadets and by staff.

Staff page through the roster (``GET /api/v1/cadets/?page=N&page_size=100``), open a training
day's attendance sheet (``GET /api/v1/attendance/?training_day=<id>``) and check notifications.
Cadets read their own account (``GET /api/v1/auth/me``), their own cadet profile
(``GET /api/v1/cadets/<own id>/``) and notifications. Cadets never page the roster: they may not
read other cadets.

Judged class: read (p95 < 500 ms). Each simulated user logs in once; those logins are write-class
set-up traffic, judged on errors only. Run from the repository root, e.g.::

    LOAD_DATA_FILE=load-data.json locust --config loadtests/locust.conf \\
        -f loadtests/locustfiles/read_mix.py -H http://127.0.0.1:8000
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from locust import HttpUser, between, task

from loadtests.common import endpoints
from loadtests.common.auth import ApiUser
from loadtests.common.data import CadetAccount, Credentials, RoundRobin
from loadtests.common.locust_hooks import install, scenario_data
from loadtests.common.thresholds import RequestClass

install()

READ = RequestClass.READ
# Not security-relevant: only spreads the simulated users over pages and days.
_rng = random.Random()  # noqa: S311


def json_object(data: Any) -> str | None:
    """A response body must be a JSON object."""
    return None if isinstance(data, dict) else "body is not a JSON object"


def json_list_or_page(data: Any) -> str | None:
    """A list body is either a JSON array or a page object with ``results``."""
    if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("results"), list)):
        return None
    return "body is neither a list nor a page with results"


class _Accounts:
    """Round-robin over the fixture's accounts, so users spread over distinct logins."""

    cadets: RoundRobin[CadetAccount] | None = None
    staff: RoundRobin[Credentials] | None = None


class CadetReader(HttpUser):
    """A cadet checking their own record and notifications."""

    load_classes: ClassVar[tuple[RequestClass, ...]] = (READ,)
    weight = 3
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        data = scenario_data(self.environment)
        if _Accounts.cadets is None:
            _Accounts.cadets = RoundRobin(data.cadets, start=_rng.randrange(len(data.cadets)))
        self.account = _Accounts.cadets.next()
        self.api = ApiUser(self.client, self.account.credentials, login_class=RequestClass.WRITE)
        self.api.login()

    @task(2)
    def me(self) -> None:
        self.api.call(
            "GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ, validate=json_object
        )

    @task(2)
    def own_profile(self) -> None:
        self.api.call(
            "GET",
            endpoints.cadet_detail(self.account.cadet_id),
            name=endpoints.NAME_CADET_DETAIL,
            load_class=READ,
            validate=json_object,
        )

    @task(1)
    def notifications(self) -> None:
        self.api.call(
            "GET",
            endpoints.NOTIFICATIONS,
            name=endpoints.NAME_NOTIFICATIONS,
            load_class=READ,
            validate=json_list_or_page,
        )


class StaffReader(HttpUser):
    """A staff member browsing the roster and a day's attendance."""

    load_classes: ClassVar[tuple[RequestClass, ...]] = (READ,)
    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.data = scenario_data(self.environment)
        if _Accounts.staff is None:
            _Accounts.staff = RoundRobin(
                self.data.staff, start=_rng.randrange(len(self.data.staff))
            )
        self.api = ApiUser(self.client, _Accounts.staff.next(), login_class=RequestClass.WRITE)
        self.api.login()

    @task(3)
    def roster_page(self) -> None:
        self.api.call(
            "GET",
            endpoints.CADETS,
            name=endpoints.NAME_ROSTER_PAGE,
            load_class=READ,
            params={"page": _rng.randint(1, self.data.roster_pages), "page_size": 100},
            validate=json_list_or_page,
        )

    @task(2)
    def attendance_for_day(self) -> None:
        self.api.call(
            "GET",
            endpoints.ATTENDANCE,
            name=endpoints.NAME_ATTENDANCE_DAY,
            load_class=READ,
            params={"training_day": _rng.choice(self.data.training_day_ids)},
            validate=json_list_or_page,
        )

    @task(1)
    def notifications(self) -> None:
        self.api.call(
            "GET",
            endpoints.NOTIFICATIONS,
            name=endpoints.NAME_NOTIFICATIONS,
            load_class=READ,
            validate=json_list_or_page,
        )
