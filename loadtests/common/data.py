"""Credentials and object ids for the load scenarios, read from a JSON fixture file.

The file is named by the environment variable ``LOAD_DATA_FILE`` and is produced from the seeded
database (the synthetic legacy seed or a fixture command), so the scenarios hit real rows::

    {
      "cadets": [{"username": "c0001", "password": "...", "cadet_id": 1}, ...],
      "staff": [{"username": "staff01", "password": "..."}, ...],
      "training_day_ids": [1, 2, 3],
      "grade_ids": [1, 2, 3],
      "cadet_ids": [1, 2, 3],
      "roster_pages": 30
    }

``cadets`` log in for the read mix (each reads its own profile); ``staff`` accounts must be allowed
to mark attendance, update grades and record merits (staff or admin). ``cadet_ids`` (targets of
writes) defaults to the cadets' own ids, ``roster_pages`` to the pages of 100 that ``cadet_ids``
fill. Every problem in the file is reported at once, not the first one.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

ENV_VAR: Final = "LOAD_DATA_FILE"
ROSTER_PAGE_SIZE: Final = 100

T = TypeVar("T")


class LoadDataError(ValueError):
    """The fixture file is missing or does not describe usable data."""


@dataclass(frozen=True)
class Credentials:
    """A username and password that the login endpoint accepts."""

    username: str
    password: str = field(repr=False)  # never in logs or tracebacks


@dataclass(frozen=True)
class CadetAccount:
    """A cadet's login and the id of the cadet row it owns."""

    credentials: Credentials
    cadet_id: int


@dataclass(frozen=True)
class LoadData:
    """What the scenarios need to address real rows."""

    cadets: tuple[CadetAccount, ...]
    staff: tuple[Credentials, ...]
    training_day_ids: tuple[int, ...]
    grade_ids: tuple[int, ...]
    cadet_ids: tuple[int, ...]
    roster_pages: int


def _ids(doc: Mapping[str, Any], key: str, problems: list[str], *, required: bool) -> list[int]:
    value = doc.get(key)
    if value is None:
        if required:
            problems.append(f"{key}: missing")
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        problems.append(f"{key}: must be a list of integer ids")
        return []
    if required and not value:
        problems.append(f"{key}: must not be empty")
    return value


def _credentials(row: Any, where: str, problems: list[str]) -> Credentials | None:
    if not isinstance(row, Mapping):
        problems.append(f"{where}: must be an object")
        return None
    username, password = row.get("username"), row.get("password")
    if not isinstance(username, str) or not username:
        problems.append(f"{where}.username: must be a non-empty string")
        return None
    # Passwords are taken verbatim: the legacy system allowed leading/trailing spaces.
    if not isinstance(password, str) or password == "":
        problems.append(f"{where}.password: must be a non-empty string")
        return None
    return Credentials(username=username, password=password)


def parse_load_data(doc: Any) -> LoadData:
    """Validate a decoded fixture document; LoadDataError lists every problem found."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        raise LoadDataError("load data: the document must be a JSON object")

    cadets: list[CadetAccount] = []
    raw_cadets = doc.get("cadets")
    if not isinstance(raw_cadets, list) or not raw_cadets:
        problems.append("cadets: must be a non-empty list")
        raw_cadets = []
    for i, row in enumerate(raw_cadets):
        creds = _credentials(row, f"cadets[{i}]", problems)
        cadet_id = row.get("cadet_id") if isinstance(row, Mapping) else None
        if not isinstance(cadet_id, int) or isinstance(cadet_id, bool):
            problems.append(f"cadets[{i}].cadet_id: must be an integer id")
        elif creds is not None:
            cadets.append(CadetAccount(creds, cadet_id))

    staff: list[Credentials] = []
    raw_staff = doc.get("staff")
    if not isinstance(raw_staff, list) or not raw_staff:
        problems.append("staff: must be a non-empty list")
        raw_staff = []
    for i, row in enumerate(raw_staff):
        if (creds := _credentials(row, f"staff[{i}]", problems)) is not None:
            staff.append(creds)

    training_days = _ids(doc, "training_day_ids", problems, required=True)
    grades = _ids(doc, "grade_ids", problems, required=True)
    cadet_ids = _ids(doc, "cadet_ids", problems, required=False) or [c.cadet_id for c in cadets]

    pages = doc.get("roster_pages")
    if pages is None:
        pages = max(1, math.ceil(len(cadet_ids) / ROSTER_PAGE_SIZE))
    elif not isinstance(pages, int) or isinstance(pages, bool) or pages < 1:
        problems.append("roster_pages: must be a positive integer")

    if problems:
        raise LoadDataError("load data: " + "; ".join(problems))
    return LoadData(
        cadets=tuple(cadets),
        staff=tuple(staff),
        training_day_ids=tuple(training_days),
        grade_ids=tuple(grades),
        cadet_ids=tuple(cadet_ids),
        roster_pages=pages,
    )


def load_data(path: str | os.PathLike[str] | None = None) -> LoadData:
    """Read the fixture named by ``path`` or, by default, by ``$LOAD_DATA_FILE``."""
    if path is None:
        path = os.environ.get(ENV_VAR)
        if not path:
            raise LoadDataError(f"load data: set {ENV_VAR} to the JSON fixture file")
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LoadDataError(f"load data: {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise LoadDataError(f"load data: {path} is not valid JSON ({exc})") from exc
    return parse_load_data(doc)


class RoundRobin(Generic[T]):
    """Hands out items in turn, so simulated users spread over distinct accounts and rows.

    Locust users are greenlets in one thread and ``next`` does not yield, so no lock is needed.
    """

    def __init__(self, items: Sequence[T], *, start: int = 0) -> None:
        if not items:
            raise ValueError("RoundRobin needs at least one item")
        self._cycle: Iterator[T] = itertools.islice(
            itertools.cycle(items), start % len(items), None
        )

    def next(self) -> T:
        """The next item, wrapping around at the end."""
        return next(self._cycle)
