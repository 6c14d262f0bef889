"""Table-driven tests of every conversion rule, hostile values included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from cutover import conversions as cv
from cutover.conversions import JSON_NULL, Cell, ConversionError, PasswordStatus
from cutover.errors import ConfigError
from cutover.legacy_schema import Kind
from rgms.users.passwords import (
    legacy_password_corresponds,
    legacy_password_is_usable,
    legacy_password_to_django,
)

MANILA = cv.legacy_zone("Asia/Manila")
CELL = Cell("cadets", 42, "birthdate")

# A real bcryptjs-style hash ($2a$, cost 10, 60 chars) and its $2b$/$2y$ variants.
HASH_2A = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
HASH_2B = "$2b$" + HASH_2A[4:]
HASH_2Y = "$2y$" + HASH_2A[4:]


def assert_rejected(func: Any, value: object, *args: Any, **kwargs: Any) -> ConversionError:
    with pytest.raises(ConversionError) as caught:
        func(value, CELL, *args, **kwargs)
    err = caught.value
    assert (err.table, err.pk, err.column) == ("cadets", 42, "birthdate")
    assert err.value is value or err.value == value
    assert err.reason
    assert "cadets [42] column birthdate" in str(err)
    return err


# ----------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("false", False),
        ("t", True),
        ("f", False),
        ("TRUE", True),
        ("F", False),
        ("1", True),
        ("0", False),
    ],
)
def test_to_bool_accepts(value: object, expected: bool | None) -> None:
    assert cv.to_bool(value, CELL) is expected


@pytest.mark.parametrize(
    "value",
    [2, -1, 1.0, 0.0, "yes", "no", "", " true", "tru", "null", b"1", [], {}, 10**20],
)
def test_to_bool_rejects(value: object) -> None:
    assert_rejected(cv.to_bool, value)


# ----------------------------------------------------------------------------- integers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0, 0),
        (-5, -5),
        (2**31 - 1, 2**31 - 1),
        (-(2**31), -(2**31)),
        (12.0, 12),
        ("42", 42),
        (" -7 ", -7),
        ("+3", 3),
    ],
)
def test_to_int_accepts(value: object, expected: int | None) -> None:
    assert cv.to_int(value, CELL) == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        2**31,
        -(2**31) - 1,
        12.5,
        float("nan"),
        float("inf"),
        "",
        "12abc",
        "25 yrs",
        "1e3",
        "0x10",
        "١٢",  # Arabic-Indic digits: str.isdigit would accept them, the rule must not
        b"12",
        [1],
    ],
)
def test_to_int_rejects(value: object) -> None:
    assert_rejected(cv.to_int, value)


# ----------------------------------------------------------------------------- floats


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (7, 7.0), (8.5, 8.5), ("-12.25", -12.25), ("1e-3", 0.001), (".5", 0.5)],
)
def test_to_float_accepts(value: object, expected: float | None) -> None:
    assert cv.to_float(value, CELL) == expected


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), "NaN", "inf", "", "1,5", True, "1e999"]
)
def test_to_float_rejects(value: object) -> None:
    assert_rejected(cv.to_float, value)


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "value",
    [
        "",
        " padded ",
        'O\'Brien "Jr."; DROP TABLE cadets; --',
        "<script>alert(1)</script>",
        "Ñoño Muñoz 🎖️ 中文",
        "x" * 100_000,
        "line\nbreak\ttab",
    ],
)
def test_to_text_keeps_text_verbatim(value: str) -> None:
    assert cv.to_text(value, CELL) == value


@pytest.mark.parametrize("value", ["nul\x00byte", "bad \udcff utf-8", 12, 1.5, b"bytes", True])
def test_to_text_rejects(value: object) -> None:
    assert_rejected(cv.to_text, value)


def test_to_time_text_is_verbatim() -> None:
    assert cv.to_time_text("7:05:12 AM", CELL) == "7:05:12 AM"
    assert cv.to_time_text("around seven", CELL) == "around seven"
    assert cv.to_time_text(None, CELL) is None
    assert_rejected(cv.to_time_text, 705)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7:05:12 AM", time(7, 5, 12)),
        ("12:00 AM", time(0, 0)),
        ("12:30:00 PM", time(12, 30)),
        ("1:02 pm", time(13, 2)),
        ("7:05:12AM", time(7, 5, 12)),
        ("11:58:40 a.m.", time(11, 58, 40)),
        ("19:05", time(19, 5)),
        ("07:05:12.5", time(7, 5, 12, 500000)),
    ],
)
def test_parse_time_text(value: str, expected: time) -> None:
    assert cv.parse_time_text(value, CELL) == expected


@pytest.mark.parametrize("value", ["13:00 PM", "0:30 AM", "24:00", "7:60", "7 AM", "noon", ""])
def test_parse_time_text_rejects(value: str) -> None:
    assert_rejected(cv.parse_time_text, value)


# ----------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2024-08-03 07:05:12", UTC, datetime(2024, 8, 3, 7, 5, 12, tzinfo=UTC)),
        ("2024-08-03T07:05:12", UTC, datetime(2024, 8, 3, 7, 5, 12, tzinfo=UTC)),
        ("2024-08-03 07:05", UTC, datetime(2024, 8, 3, 7, 5, tzinfo=UTC)),
        ("2024-08-03 07:05:12", MANILA, datetime(2024, 8, 2, 23, 5, 12, tzinfo=UTC)),
        ("2024-08-03T07:05:12.123Z", MANILA, datetime(2024, 8, 3, 7, 5, 12, 123000, tzinfo=UTC)),
        ("2024-08-03T07:05:12+08:00", UTC, datetime(2024, 8, 2, 23, 5, 12, tzinfo=UTC)),
        ("2024-08-03T07:05:12+0800", UTC, datetime(2024, 8, 2, 23, 5, 12, tzinfo=UTC)),
        ("2024-08-03 07:05:12-05", UTC, datetime(2024, 8, 3, 12, 5, 12, tzinfo=UTC)),
        ("2024-08-03 07:05:12.123456", UTC, datetime(2024, 8, 3, 7, 5, 12, 123456, tzinfo=UTC)),
        (datetime(2024, 8, 3, 7, 5), MANILA, datetime(2024, 8, 2, 23, 5, tzinfo=UTC)),
        (
            datetime(2024, 8, 3, 7, 5, tzinfo=timezone(timedelta(hours=8))),
            UTC,
            datetime(2024, 8, 2, 23, 5, tzinfo=UTC),
        ),
        ("2024-02-29 00:00:00", UTC, datetime(2024, 2, 29, tzinfo=UTC)),
        (None, UTC, None),
    ],
)
def test_to_timestamp_gives_aware_utc(value: object, zone: Any, expected: datetime | None) -> None:
    result = cv.to_timestamp(value, CELL, legacy_zone=zone)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        "2024-08-03",
        "infinity",
        "-infinity",
        "",
        "2023-02-29 10:00:00",
        "2024-08-03 25:00:00",
        "2024-08-03 07:05:60",
        "2024-08-03 07:05:12.1234567",
        "2024-08-03 07:05:12+25:00",
        "03/08/2024 07:05",
        "yesterday",
        "1722668712000",
        1722668712,
        date(2024, 8, 3),
        "0001-01-01 00:00:00+01:00",
    ],
)
def test_to_timestamp_rejects(value: object) -> None:
    assert_rejected(cv.to_timestamp, value)


def test_to_timestamp_rejects_out_of_range_in_the_legacy_zone() -> None:
    tokyo = cv.legacy_zone("Asia/Tokyo")
    assert_rejected(cv.to_timestamp, "0001-01-01 00:00:00", legacy_zone=tokyo)


def test_dst_fold_resolves_to_the_earlier_offset() -> None:
    new_york = cv.legacy_zone("America/New_York")
    # 01:30 happens twice on 2024-11-03; fold=0 is the first (EDT, UTC-4).
    result = cv.to_timestamp("2024-11-03 01:30:00", CELL, legacy_zone=new_york)
    assert result == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)


def test_legacy_zone_validates_names() -> None:
    assert cv.legacy_zone("utc") is UTC
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        cv.legacy_zone("Mars/Olympus")


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        (None, UTC, None),
        ("", UTC, None),
        ("   ", UTC, None),
        (date(2004, 2, 29), UTC, date(2004, 2, 29)),
        ("2004-02-29", UTC, date(2004, 2, 29)),
        (" 2004-02-29 ", UTC, date(2004, 2, 29)),
        ("2004-2-9", UTC, date(2004, 2, 9)),
        ("2004/02/29", UTC, date(2004, 2, 29)),
        ("02/29/2004", UTC, date(2004, 2, 29)),
        ("2/9/2004", UTC, date(2004, 2, 9)),
        ("02-29-2004", UTC, date(2004, 2, 29)),
        ("January 5, 2024", UTC, date(2024, 1, 5)),
        ("Jan 5 2024", UTC, date(2024, 1, 5)),
        ("Sept. 5, 2024", UTC, date(2024, 9, 5)),
        ("5 January 2024", UTC, date(2024, 1, 5)),
        ("2024-01-05 00:00:00", UTC, date(2024, 1, 5)),
        ("2024-01-05T00:00:00.000Z", MANILA, date(2024, 1, 5)),
        ("2024-01-04T16:00:00.000Z", MANILA, date(2024, 1, 5)),
        (datetime(2024, 1, 5), UTC, date(2024, 1, 5)),
    ],
)
def test_to_date_accepts(value: object, zone: Any, expected: date | None) -> None:
    assert cv.to_date(value, CELL, legacy_zone=zone) == expected


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("2003-02-29", UTC),
        ("13/01/2004", UTC),
        ("31/12/2004", UTC),
        ("2004-13-01", UTC),
        ("Smarch 5, 2024", UTC),
        ("2024-01-05 08:30:00", UTC),
        ("2024-01-04T16:00:00.000Z", UTC),
        ("05.01.2024", UTC),
        ("next week", UTC),
        ("0", UTC),
        (20240105, UTC),
        (b"2024-01-05", UTC),
    ],
)
def test_to_date_rejects(value: object, zone: Any) -> None:
    assert_rejected(cv.to_date, value, legacy_zone=zone)


# ----------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (
            '{"cadet_id": 1, "reason": "late \\"again\\""}',
            {"cadet_id": 1, "reason": 'late "again"'},
        ),
        ('["https://a/1.jpg", "https://a/2.jpg"]', ["https://a/1.jpg", "https://a/2.jpg"]),
        ("[]", []),
        ("  {} ", {}),
        ('"text"', "text"),
        ("3", 3),
        ("1.5e3", 1500.0),
        ("true", True),
        ("null", JSON_NULL),
        ('{"emoji": "🎖️", "html": "<b>x</b>"}', {"emoji": "🎖️", "html": "<b>x</b>"}),
        ({"already": ["decoded"]}, {"already": ["decoded"]}),
        ([1, 2], [1, 2]),
    ],
)
def test_to_json_accepts(value: object, expected: object) -> None:
    assert cv.to_json(value, CELL) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "{",
        '{"reason": "broken "quote""}',
        "NaN",
        '{"x": Infinity}',
        "1e999",
        '{"a": 1, "a": 2}',
        '{"s": "nul \\u0000 char"}',
        '{"s": "lone \\ud800 surrogate"}',
        "[" * 100_000 + "]" * 100_000,
        "{'single': 'quotes'}",
        b"{}",
        {"x": float("nan")},
    ],
)
def test_to_json_rejects(value: object) -> None:
    assert_rejected(cv.to_json, value)


def test_json_null_is_a_singleton_distinct_from_sql_null() -> None:
    assert cv.JsonNull() is JSON_NULL
    assert JSON_NULL is not None
    assert repr(JSON_NULL) == "JSON_NULL"


# ----------------------------------------------------------------------------- passwords


@pytest.mark.parametrize("legacy", [HASH_2A, HASH_2B, HASH_2Y])
def test_bcrypt_hashes_become_plain_bcrypt_not_bcrypt_sha256(legacy: str) -> None:
    converted = cv.convert_password(legacy, CELL)
    assert converted.encoded == "bcrypt$" + legacy
    assert not converted.encoded.startswith("bcrypt_sha256$")
    assert converted.status is PasswordStatus.BCRYPT
    assert converted.usable


def test_converted_hash_verifies_with_bcrypt() -> None:
    bcrypt = pytest.importorskip("bcrypt")
    legacy = bcrypt.hashpw(b"correct horse", bcrypt.gensalt(4, prefix=b"2a")).decode()
    algorithm, data = cv.to_password(legacy, CELL).split("$", 1)
    assert algorithm == "bcrypt"
    assert bcrypt.checkpw(b"correct horse", data.encode())


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("$2a$10$DUMMYHASHFORIMPORTEDCADETS", PasswordStatus.PLACEHOLDER),
        # A placeholder shaped exactly like a hash (60 chars, bcrypt alphabet) is still one.
        ("$2a$10$DUMMY" + "A" * 48, PasswordStatus.PLACEHOLDER),
        ("", PasswordStatus.INVALID),
        ("plaintext-password", PasswordStatus.INVALID),
        (HASH_2A[:-1], PasswordStatus.INVALID),
        (HASH_2A + " ", PasswordStatus.INVALID),
        (" " + HASH_2A, PasswordStatus.INVALID),
        ("$2x$" + HASH_2A[4:], PasswordStatus.INVALID),
        ("$2a$03$" + HASH_2A[7:], PasswordStatus.INVALID),
        ("$2a$32$" + HASH_2A[7:], PasswordStatus.INVALID),
        ("bcrypt$" + HASH_2A, PasswordStatus.INVALID),
        ("pbkdf2_sha256$600000$salt$hash", PasswordStatus.INVALID),
    ],
)
def test_anything_else_becomes_an_unusable_password(value: str, status: PasswordStatus) -> None:
    converted = cv.convert_password(value, CELL)
    assert converted.status is status
    assert not converted.usable
    assert converted.encoded.startswith("!")  # Django's unusable-password prefix
    # Deterministic: a second import writes the same value.
    assert cv.convert_password(value, CELL) == converted


@pytest.mark.parametrize("value", [None, 12345, b"$2a$10$...", "$2A$10$dummy" + "x" * 48])
def test_null_and_non_text_passwords_migrate_unusable_as_the_authentication_rule_says(
    value: object,
) -> None:
    # The one rule (rgms.users.passwords, ADR 0001): nothing that is not a bcrypt hash is
    # refused; it migrates unusable and is counted.
    converted = cv.convert_password(value, CELL)
    assert not converted.usable
    assert converted.encoded in {cv.UNUSABLE_INVALID, cv.UNUSABLE_PLACEHOLDER}
    assert not legacy_password_is_usable(value)


@pytest.mark.parametrize(
    "value",
    [HASH_2A, HASH_2B, HASH_2Y, "", None, "$2a$10$DUMMY" + "A" * 48, HASH_2A[:-1], "garbage"],
)
def test_convert_password_is_the_authentication_rule(value: object) -> None:
    # given the authentication issue's conversion, which the importer must not duplicate
    converted = cv.convert_password(value, CELL)
    # then both agree on usability, and on the stored value of every usable hash
    assert converted.usable == legacy_password_is_usable(value)
    if converted.usable:
        assert converted.encoded == legacy_password_to_django(value)  # type: ignore[arg-type]
    assert legacy_password_corresponds(value, converted.encoded)  # type: ignore[arg-type]
    assert cv.password_status(converted.encoded) is converted.status


# ----------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Kind.INTEGER, "5", 5),
        (Kind.FLOAT, 1, 1.0),
        (Kind.TEXT, "x", "x"),
        (Kind.BOOLEAN, 1, True),
        (Kind.TIMESTAMP, "2024-01-01 00:00:00", datetime(2024, 1, 1, tzinfo=UTC)),
        (Kind.DATE, "2024-01-01", date(2024, 1, 1)),
        (Kind.TIME_TEXT, "7:00 AM", "7:00 AM"),
        (Kind.JSON, "[1]", [1]),
        (Kind.PASSWORD, HASH_2A, "bcrypt$" + HASH_2A),
    ],
)
def test_convert_dispatches_on_kind(kind: Kind, value: object, expected: object) -> None:
    assert cv.convert(kind, value, CELL) == expected


def test_convert_uses_the_legacy_zone() -> None:
    got = cv.convert(Kind.TIMESTAMP, "2024-01-01 08:00:00", CELL, zone=MANILA)
    assert got == datetime(2024, 1, 1, tzinfo=UTC)


def test_error_report_is_bounded_and_structured() -> None:
    err = assert_rejected(cv.to_int, "9" * 5000)
    assert len(str(err)) < 400
    data = err.as_dict()
    assert data["table"] == "cadets"
    assert data["pk"] == 42
    assert data["column"] == "birthdate"


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [(None, False, False), (None, True, True), (1, False, True), ("f", True, False)],
)
def test_to_flag_reads_null_as_the_legacy_default(
    value: object, default: bool, expected: bool
) -> None:
    assert cv.to_flag(value, CELL, default=default) is expected


def test_to_flag_still_rejects_garbage() -> None:
    assert_rejected(cv.to_flag, "maybe", default=False)
