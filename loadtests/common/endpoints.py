"""Every API path the load scenarios call, in one place.

If a path changes, this module is the only edit. Slashes follow the backend's URL configuration
exactly: resource routes end with one (``/api/v1/<kebab-plural>/``, DRF's router), the auth
one-off endpoints do not (``/api/v1/auth/login``). It matters: Django answers a POST to the other
spelling with a 404 or a redirect that turns it into a GET.

``NAME_*`` are the request names in the statistics: one name per endpoint, with ids and page
numbers replaced by placeholders, so 3000 cadet ids make one row, not 3000.
"""

from __future__ import annotations

from typing import Final

API: Final = "/api/v1"

LOGIN: Final = f"{API}/auth/login"
REFRESH: Final = f"{API}/auth/refresh"
ME: Final = f"{API}/auth/me"
CADETS: Final = f"{API}/cadets/"
NOTIFICATIONS: Final = f"{API}/notifications/"
ATTENDANCE: Final = f"{API}/attendance/"
GRADES: Final = f"{API}/grades/"
MERIT_DEMERIT_LOGS: Final = f"{API}/merit-demerit-logs/"


def cadet_detail(pk: int) -> str:
    """Path of one cadet."""
    return f"{CADETS}{pk}/"


def grade_detail(pk: int) -> str:
    """Path of one grade row."""
    return f"{GRADES}{pk}/"


NAME_LOGIN: Final = LOGIN
NAME_REFRESH: Final = REFRESH
NAME_ME: Final = ME
NAME_ROSTER_PAGE: Final = f"{CADETS}?page=[n]&page_size=100"
NAME_CADET_DETAIL: Final = f"{CADETS}[own id]/"
NAME_NOTIFICATIONS: Final = NOTIFICATIONS
NAME_ATTENDANCE_DAY: Final = f"{ATTENDANCE}?training_day=[id]"
NAME_ATTENDANCE_MARK: Final = ATTENDANCE
NAME_GRADE_UPDATE: Final = f"{GRADES}[id]/"
NAME_MERIT_DEMERIT_CREATE: Final = MERIT_DEMERIT_LOGS
