"""The documented conversion rules from legacy values to the values Django stores.

One pure function per rule. Import and verify both call these, so each rule lives once. Every
function returns None for None (SQL NULL stays NULL; NOT NULL is the schema's business) and
raises `ConversionError(table, pk, column, value, reason)` for a value no rule converts. The
`cell` argument only names where the value came from, for that error.

| Rule (function)      | Accepts                                                     | Gives |
|----------------------|-------------------------------------------------------------|-------|
| to_bool              | bool; integers 0/1; text 'true'/'false'/'t'/'f'/'1'/'0'     | bool  |
|                      | (any letter case). Anything else (2, 'yes', '', 1.0) raises.|       |
| to_flag              | to_bool, and NULL -> the column's legacy default, for the   | bool  |
|                      | nullable legacy flags that land in NOT NULL fields (the     |       |
|                      | legacy routes read NULL as the default).                    |       |
| to_int               | int; integral finite float; text of an optional sign and    | int   |
|                      | digits (surrounding blanks allowed: SQLite keeps such text  |       |
|                      | only when it could not convert it). 32-bit range (Django's  |       |
|                      | IntegerField on PostgreSQL). bool raises.                   |       |
| to_float             | int, finite float, decimal text. NaN and infinities raise.  | float |
| to_text              | str, verbatim. NUL characters (PostgreSQL text cannot hold  | str   |
|                      | them) and invalid UTF-8 (lone surrogates) raise.            |       |
| to_timestamp         | naive datetime (PG TIMESTAMP) or text 'YYYY-MM-DD HH:MM[:SS | aware |
|                      | [.ffffff]]' with ' ' or 'T' and an optional 'Z'/'+HH[:MM]'. | UTC   |
|                      | Naive values are read in the legacy zone (default UTC, as   | date- |
|                      | SQLite's CURRENT_TIMESTAMP writes); values with an offset   | time  |
|                      | keep it. Date-only text, 'infinity', more than 6 fraction   |       |
|                      | digits or impossible dates raise. Naive times that a DST    |       |
|                      | change makes ambiguous or skipped resolve as zoneinfo does  |       |
|                      | with fold=0 (the offset in force before the change).        |       |
| to_date              | date (PG DATE); text, stripped: 'YYYY-MM-DD' (1-2 digit     | date  |
|                      | month/day allowed), 'YYYY/MM/DD', 'MM/DD/YYYY' and          |       |
|                      | 'MM-DD-YYYY' (month first, the form US/PH spreadsheets use; |       |
|                      | a first number above 12 raises, no day-first guessing),     |       |
|                      | 'January 5, 2024' / 'Jan 5 2024' / '5 January 2024', and a  |       |
|                      | timestamp at midnight: naive midnight, UTC midnight (what   |       |
|                      | JavaScript's toISOString gives for a date-only value) or    |       |
|                      | midnight in the legacy zone. Empty or blank text is NULL    |       |
|                      | (the legacy forms send '' for an unset date). Any other     |       |
|                      | time of day raises instead of silently dropping it.         |       |
| to_time_text         | str, kept verbatim (attendance time_in/time_out are free    | str   |
|                      | text shown as written); `parse_time_text` validates the     |       |
|                      | forms 'H:MM[:SS[.f]]' with optional AM/PM for reports.      |       |
| to_json              | JSON text (strict: no NaN/Infinity, no duplicate keys, no   | JSON  |
|                      | NUL or lone surrogates, which PostgreSQL jsonb refuses,     |       |
|                      | finite numbers) or already-decoded JSON values. The literal |       |
|                      | 'null' gives JSON_NULL, distinct from SQL NULL. Empty text  |       |
|                      | raises.                                                     |       |
| convert_password     | the authentication rule, `rgms.users.passwords` (ADR 0001), | str   |
|                      | called, not copied: a well-formed bcrypt hash ('$2a$'/      |       |
|                      | '$2b$'/'$2y$', cost 04-31, 60 chars) -> 'bcrypt$<hash>'     |       |
|                      | (Django's plain bcrypt hasher, NOT bcrypt_sha256, which     |       |
|                      | pre-hashes and would lock every user out). Anything else    |       |
|                      | (the '$2a$10$DUMMY...' placeholder of imported cadets,      |       |
|                      | NULL, empty, truncated, non-text) -> an unusable password.  |       |
|                      | The unusable value is a fixed marker per reason ('!legacy-  |       |
|                      | placeholder-password' / '!legacy-invalid-password') instead |       |
|                      | of make_password(None)'s random one, so a second import     |       |
|                      | changes nothing; the report counts both kinds.              |       |
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Any, Final, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cutover.errors import CellError, ConfigError
from cutover.legacy_schema import Kind

INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1

JsonValue: TypeAlias = dict[str, Any] | list[Any] | str | int | float | bool


class ConversionError(CellError, ValueError):
    """A legacy value that no documented rule converts (table, pk, column, value, reason)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """Where a value comes from, so an error can name it."""

    table: str = "?"
    pk: object = None
    column: str = "?"

    def error(self, value: object, reason: str) -> ConversionError:
        return ConversionError(self.table, self.pk, self.column, value, reason)


NOWHERE: Final = Cell()


class JsonNull:
    """The JSON literal null, distinct from SQL NULL (Django stores it with
    `Value(None, JSONField())`)."""

    _instance: JsonNull | None = None

    def __new__(cls) -> JsonNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "JSON_NULL"


JSON_NULL: Final = JsonNull()


def legacy_zone(name: str) -> tzinfo:
    """The legacy time zone by IANA name ('UTC', 'Asia/Manila'); ConfigError if unknown."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown legacy time zone {name!r}") from exc


# ----------------------------------------------------------------------------- booleans


_TRUE_TEXT: Final = frozenset({"true", "t", "1"})
_FALSE_TEXT: Final = frozenset({"false", "f", "0"})


def to_bool(value: object, cell: Cell = NOWHERE) -> bool | None:
    if value is None or value is True or value is False:
        return value  # type: ignore[return-value]
    if isinstance(value, int):
        if value in (0, 1):
            return value == 1
        raise cell.error(value, "an integer flag must be 0 or 1")
    if isinstance(value, str):
        folded = value.lower()
        if folded in _TRUE_TEXT:
            return True
        if folded in _FALSE_TEXT:
            return False
        raise cell.error(value, "text is not one of true/false/t/f/1/0")
    raise cell.error(value, f"{type(value).__name__} is not a boolean")


def to_flag(value: object, cell: Cell = NOWHERE, *, default: bool) -> bool:
    """A legacy boolean flag for a NOT NULL field: NULL reads as the column's legacy default.

    The legacy flag columns are nullable with a default (is_archived BOOLEAN DEFAULT FALSE) and
    the legacy routes read NULL as the default (`is_archived IS FALSE OR is_archived IS NULL`);
    the RGMS fields are NOT NULL with the same default. The importer counts how often this
    rule applies. Any other value follows `to_bool`.
    """
    converted = to_bool(value, cell)
    return default if converted is None else converted


# ----------------------------------------------------------------------------- numbers


_INT_TEXT: Final = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
_FLOAT_TEXT: Final = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)


def to_int(value: object, cell: Cell = NOWHERE) -> int | None:
    if type(value) is int and INT32_MIN <= value <= INT32_MAX:  # the common case, first
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        raise cell.error(value, "a boolean is not an integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise cell.error(value, "not an integral finite number")
        number = int(value)
    elif isinstance(value, str):
        if not _INT_TEXT.fullmatch(value):
            raise cell.error(value, "text is not an integer")
        if len(value.strip().lstrip("+-")) > 12:
            raise cell.error(value, "outside the 32-bit integer range of the target field")
        number = int(value)
    else:
        raise cell.error(value, f"{type(value).__name__} is not an integer")
    if not INT32_MIN <= number <= INT32_MAX:
        raise cell.error(value, "outside the 32-bit integer range of the target field")
    return number


def to_float(value: object, cell: Cell = NOWHERE) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise cell.error(value, "a boolean is not a number")
    if isinstance(value, int):
        number = float(value)
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        if not _FLOAT_TEXT.fullmatch(value):
            raise cell.error(value, "text is not a decimal number")
        number = float(value)
    else:
        raise cell.error(value, f"{type(value).__name__} is not a number")
    if not math.isfinite(number):
        raise cell.error(value, "not a finite number")
    return number


# ----------------------------------------------------------------------------- text


def _text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character, which PostgreSQL text cannot store"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "not valid UTF-8 (lone surrogate or undecodable bytes)"
    return None


def to_text(value: object, cell: Cell = NOWHERE) -> str | None:
    if type(value) is str and value.isascii() and "\x00" not in value:  # the common case
        return value
    if value is None:
        return None
    if not isinstance(value, str):
        raise cell.error(value, f"{type(value).__name__} is not text")
    problem = _text_problem(value)
    if problem:
        raise cell.error(value, problem)
    return value


def to_time_text(value: object, cell: Cell = NOWHERE) -> str | None:
    """Attendance times are free text and migrate verbatim (validated as text only)."""
    return to_text(value, cell)


_TIME_TEXT: Final = re.compile(
    r"\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(?:([AaPp])\.?\s*[Mm]\.?)?\s*",
    re.ASCII,
)


def parse_time_text(value: str, cell: Cell = NOWHERE) -> time:
    """Parse a legacy free-text time ('7:05:12 AM', '19:05', '07:05:12.5 pm')."""
    match = _TIME_TEXT.fullmatch(value)
    if not match:
        raise cell.error(value, "not a time of day")
    hour, minute = int(match[1]), int(match[2])
    second = int(match[3] or 0)
    micro = int((match[4] or "0").ljust(6, "0"))
    meridiem = match[5]
    if meridiem:
        if not 1 <= hour <= 12:
            raise cell.error(value, "a 12-hour clock hour must be 1-12")
        hour = hour % 12 + (12 if meridiem in "Pp" else 0)
    try:
        return time(hour, minute, second, micro)
    except ValueError as exc:
        raise cell.error(value, f"not a valid time ({exc})") from None


# ----------------------------------------------------------------------------- time stamps


_TIMESTAMP_TEXT: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)


def _parse_timestamp_text(value: str, cell: Cell) -> datetime:
    match = _TIMESTAMP_TEXT.fullmatch(value)
    if not match:
        if value.strip().lower() in {"infinity", "-infinity"}:
            raise cell.error(value, "PostgreSQL infinity has no Django equivalent")
        raise cell.error(value, "text is not a timestamp in a documented format")
    year, month, day, hour, minute = (int(match[i]) for i in range(1, 6))
    second = int(match[6] or 0)
    micro = int((match[7] or "0").ljust(6, "0"))
    zone: tzinfo | None = None
    offset = match[8]
    if offset:
        if offset in ("Z", "z"):
            zone = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                raise cell.error(value, "invalid UTC offset")
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError as exc:
        raise cell.error(value, f"impossible date or time ({exc})") from None


def match_timestamp_text(text: str) -> datetime | None:
    """The moment a documented timestamp text denotes (naive, or with its own offset), or
    None when the text is not one. Used to compare representations without converting."""
    if not _TIMESTAMP_TEXT.fullmatch(text):
        return None
    try:
        return _parse_timestamp_text(text, NOWHERE)
    except ConversionError:
        return None


def _to_utc(moment: datetime, zone: tzinfo, cell: Cell, value: object) -> datetime:
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise cell.error(value, f"out of the representable range in UTC ({exc})") from None


_PLAIN_TIMESTAMP: Final = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}", re.ASCII)


def to_timestamp(
    value: object, cell: Cell = NOWHERE, *, legacy_zone: tzinfo = UTC
) -> datetime | None:
    kind = type(value)
    if kind is str and len(value) == 19 and _PLAIN_TIMESTAMP.fullmatch(value):  # type: ignore[arg-type]
        # 'YYYY-MM-DD HH:MM:SS' (SQLite's CURRENT_TIMESTAMP, the export of a PG TIMESTAMP):
        # parsed in C; an impossible date falls through to the rule that names it.
        try:
            moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
        except ValueError:
            pass
        else:
            if legacy_zone is UTC:
                return moment.replace(tzinfo=UTC)
            return _to_utc(moment, legacy_zone, cell, value)
    if kind is datetime and legacy_zone is UTC and value.tzinfo is None:  # type: ignore[union-attr]
        return value.replace(tzinfo=UTC)  # type: ignore[union-attr]
    if value is None:
        return None
    if isinstance(value, datetime):
        return _to_utc(value, legacy_zone, cell, value)
    if isinstance(value, date):
        raise cell.error(value, "a date without a time is not a timestamp")
    if isinstance(value, str):
        return _to_utc(_parse_timestamp_text(value, cell), legacy_zone, cell, value)
    raise cell.error(value, f"{type(value).__name__} is not a timestamp")


# ----------------------------------------------------------------------------- dates


_YMD: Final = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})", re.ASCII)
_MDY: Final = re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})", re.ASCII)
_MONTH_FIRST: Final = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", re.ASCII)
_DAY_FIRST: Final = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", re.ASCII)
_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _make_date(year: int, month: int, day: int, cell: Cell, value: object) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise cell.error(value, f"impossible date ({exc})") from None


def _date_from_timestamp(moment: datetime, zone: tzinfo, cell: Cell, value: object) -> date:
    midnight = time(0, 0)
    if moment.tzinfo is None:
        if moment.time() != midnight:
            raise cell.error(value, "a date column holds a time of day; no rule drops it")
        return moment.date()
    in_utc = moment.astimezone(UTC)
    if in_utc.time() == midnight:
        return in_utc.date()
    local = _to_utc(moment, zone, cell, value).astimezone(zone)
    if local.time() == midnight:
        return local.date()
    raise cell.error(
        value, "a date column holds a time that is midnight neither in UTC nor in the legacy zone"
    )


_PLAIN_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def to_date(value: object, cell: Cell = NOWHERE, *, legacy_zone: tzinfo = UTC) -> date | None:
    kind = type(value)
    if kind is date:
        return value  # type: ignore[return-value]
    if kind is str and len(value) == 10 and _PLAIN_DATE.fullmatch(value):  # type: ignore[arg-type]
        try:
            return date.fromisoformat(value)  # type: ignore[arg-type]
        except ValueError:
            pass  # an impossible date: the rule below names it
    if value is None:
        return None
    if isinstance(value, datetime):
        return _date_from_timestamp(value, legacy_zone, cell, value)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise cell.error(value, f"{type(value).__name__} is not a date")
    text = value.strip()
    if not text:
        return None
    if match := _YMD.fullmatch(text):
        return _make_date(int(match[1]), int(match[3]), int(match[4]), cell, value)
    if match := _MDY.fullmatch(text):
        month, day = int(match[1]), int(match[3])
        if month > 12:
            raise cell.error(value, "day-first dates are ambiguous; only month-first is a rule")
        return _make_date(int(match[4]), month, day, cell, value)
    if match := _MONTH_FIRST.fullmatch(text):
        month_name, day_text, year_text = match[1], match[2], match[3]
    elif match := _DAY_FIRST.fullmatch(text):
        day_text, month_name, year_text = match[1], match[2], match[3]
    elif _TIMESTAMP_TEXT.fullmatch(text):
        return _date_from_timestamp(_parse_timestamp_text(text, cell), legacy_zone, cell, value)
    else:
        raise cell.error(value, "text is not a date in a documented format")
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise cell.error(value, f"unknown month name {month_name!r}")
    return _make_date(int(year_text), month, int(day_text), cell, value)


# ----------------------------------------------------------------------------- JSON


class _JsonRejected(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _JsonRejected(f"{name} is not valid JSON")


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _JsonRejected(f"number {text} overflows a double")
    return number


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in pairs:
        if key in result:
            raise _JsonRejected(f"duplicate key {key!r}")
        result[key] = item
    return result


def _check_json_tree(item: object) -> str | None:
    """Why PostgreSQL jsonb (or JSON itself) would refuse this decoded value, or None."""
    stack = [item]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            problem = _text_problem(node)
            if problem:
                return f"a JSON string {problem}"
        elif isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(key, str):
                    return "a JSON object key is not text"
                problem = _text_problem(key)
                if problem:
                    return f"a JSON key {problem}"
                stack.append(child)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, float):
            if not math.isfinite(node):
                return "NaN and infinities are not JSON"
        elif node is None or isinstance(node, bool | int):
            continue
        else:
            return f"{type(node).__name__} is not a JSON value"
    return None


def to_json(value: object, cell: Cell = NOWHERE) -> JsonValue | JsonNull | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            raise cell.error(value, "empty text is not JSON")
        try:
            decoded = json.loads(
                value,
                parse_constant=_reject_constant,
                parse_float=_parse_float,
                object_pairs_hook=_no_duplicates,
            )
        except _JsonRejected as exc:
            raise cell.error(value, f"invalid JSON: {exc}") from None
        except RecursionError:
            raise cell.error(value, "JSON nested too deeply") from None
        except ValueError as exc:
            raise cell.error(value, f"invalid JSON: {exc}") from None
    elif isinstance(value, dict | list | bool | int | float):
        decoded = value
    else:
        raise cell.error(value, f"{type(value).__name__} is not JSON")
    problem = _check_json_tree(decoded)
    if problem:
        raise cell.error(value, problem)
    if decoded is None:
        return JSON_NULL
    return decoded


# ----------------------------------------------------------------------------- passwords


class PasswordStatus(StrEnum):
    BCRYPT = "bcrypt"  # usable: verifies with Django's plain bcrypt hasher
    PLACEHOLDER = "placeholder"  # the $2a$10$DUMMY... string of imported cadets
    INVALID = "invalid"  # anything else: not a bcrypt hash


DJANGO_BCRYPT_PREFIX: Final = "bcrypt$"
UNUSABLE_PREFIX: Final = "!"  # django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX
# Deterministic markers (a re-import must change nothing), one per reason so the verifier
# and the migration report can tell them apart.
UNUSABLE_PLACEHOLDER: Final = "!legacy-placeholder-password"
UNUSABLE_INVALID: Final = "!legacy-invalid-password"

# How the migration report tells the two unusable kinds apart (both are unusable either way;
# the same shape the authentication rule recognises: any case, $2a$/$2b$/$2x$/$2y$).
_PLACEHOLDER: Final = re.compile(r"\$2[abxy]\$\d\d\$dummy", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConvertedPassword:
    encoded: str
    status: PasswordStatus

    @property
    def usable(self) -> bool:
        return self.status is PasswordStatus.BCRYPT


def _password_rule() -> tuple[Callable[[object], bool], Callable[[str], str]]:
    """The authentication issue's conversion (imported on first use: backup and export run
    without Django and never need it)."""
    from rgms.users.passwords import legacy_password_is_usable, legacy_password_to_django

    return legacy_password_is_usable, legacy_password_to_django


def convert_password(value: object, cell: Cell = NOWHERE) -> ConvertedPassword:
    """Legacy users.password -> what Django's password field stores.

    Which values are real bcrypt hashes, and how a real one is stored, is decided by
    `rgms.users.passwords` (one rule for the importer, the verifier and the login tests).
    Everything else migrates unusable and is counted, never refused: the account exists and
    gets a password through a reset link (docs/authentication.md).
    """
    is_usable, to_django = _password_rule()
    if is_usable(value):
        assert isinstance(value, str)
        return ConvertedPassword(to_django(value), PasswordStatus.BCRYPT)
    if isinstance(value, str) and _PLACEHOLDER.match(value):
        return ConvertedPassword(UNUSABLE_PLACEHOLDER, PasswordStatus.PLACEHOLDER)
    return ConvertedPassword(UNUSABLE_INVALID, PasswordStatus.INVALID)


def password_status(encoded: str) -> PasswordStatus:
    """The status of a value `convert_password` produced (for counting without re-running)."""
    if encoded == UNUSABLE_PLACEHOLDER:
        return PasswordStatus.PLACEHOLDER
    if encoded == UNUSABLE_INVALID:
        return PasswordStatus.INVALID
    return PasswordStatus.BCRYPT


def to_password(value: object, cell: Cell = NOWHERE) -> str:
    return convert_password(value, cell).encoded


# ----------------------------------------------------------------------------- dispatch


def convert(kind: Kind, value: object, cell: Cell = NOWHERE, *, zone: tzinfo = UTC) -> object:
    """Apply the rule of a column's `Kind` (see `cutover.legacy_schema.Column.kind`)."""
    if kind is Kind.INTEGER:
        return to_int(value, cell)
    if kind is Kind.FLOAT:
        return to_float(value, cell)
    if kind is Kind.TEXT:
        return to_text(value, cell)
    if kind is Kind.BOOLEAN:
        return to_bool(value, cell)
    if kind is Kind.TIMESTAMP:
        return to_timestamp(value, cell, legacy_zone=zone)
    if kind is Kind.DATE:
        return to_date(value, cell, legacy_zone=zone)
    if kind is Kind.TIME_TEXT:
        return to_time_text(value, cell)
    if kind is Kind.JSON:
        return to_json(value, cell)
    if kind is Kind.PASSWORD:
        return to_password(value, cell)
    raise AssertionError(f"no conversion rule for {kind}")  # pragma: no cover
