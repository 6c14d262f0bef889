"""Manifests: value forms, dialect-independent content hashes, read/write/validate."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from cutover.errors import ConfigError, Problem, Severity
from cutover.legacy_schema import Kind
from cutover.manifest import (
    ColumnEntry,
    Manifest,
    ManifestError,
    TableDigest,
    TableDigester,
    TableEntry,
    UnrepresentableValue,
    artefact_path,
    canonical,
    check_file,
    compare_digests,
    jsonable,
    read_manifest,
    sha256_file,
    write_manifest,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (7, 7),
        (1.5, 1.5),
        ("Ñoño 🎖️", "Ñoño 🎖️"),
        ("nul \x00 kept", "nul \x00 kept"),
        (datetime(2024, 8, 3, 7, 5, 12), "2024-08-03T07:05:12"),
        (datetime(2024, 8, 3, 7, 5, 12, 500), "2024-08-03T07:05:12.000500"),
        (date(2024, 8, 3), "2024-08-03"),
        (time(7, 5), "07:05:00"),
        (Decimal("1.50"), "1.50"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ([1, "a"], [1, "a"]),
    ],
)
def test_jsonable_is_the_export_form(value: object, expected: object) -> None:
    assert jsonable(value) == expected


@pytest.mark.parametrize(
    ("value", "tagged"),
    [
        ("bad \udcff", {"$invalid_utf8": "YmFkIP8="}),
        (float("nan"), {"$float": "nan"}),
        (b"\x00\x01", {"$bytes": "AAE="}),
        (memoryview(b"x"), {"$bytes": "eA=="}),
        (object, {"$repr": "<class 'object'>"}),
    ],
)
def test_jsonable_refuses_in_strict_mode_and_tags_otherwise(value: object, tagged: Any) -> None:
    with pytest.raises(UnrepresentableValue):
        jsonable(value, strict=True)
    assert jsonable(value, strict=False) == tagged


@pytest.mark.parametrize(
    ("kind", "forms"),
    [
        (Kind.BOOLEAN, [True, 1, "t", "true", "1", "TRUE"]),
        (Kind.BOOLEAN, [False, 0, "f", "false"]),
        (
            Kind.TIMESTAMP,
            ["2024-08-03 07:05:12", "2024-08-03T07:05:12", "2024-08-03T07:05:12.000"],
        ),
        (Kind.TIMESTAMP, ["2024-08-03T07:05:12Z", "2024-08-03 15:05:12+08:00"]),
        (Kind.JSON, ['{"a": 1, "b": [1, 2]}', '{"b":[1,2],"a":1}', ' {"a":1,\n "b":[1,2]} ']),
    ],
)
def test_representations_of_one_value_hash_alike(kind: Kind, forms: list[object]) -> None:
    canon = {orjson.dumps(canonical(kind, jsonable(f)), option=orjson.OPT_SORT_KEYS) for f in forms}
    assert len(canon) == 1


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        (Kind.BOOLEAN, 2, True),
        (Kind.TIMESTAMP, "2024-08-03 07:05:12", "2024-08-03 07:05:13"),
        (Kind.TIMESTAMP, "2024-08-03T07:05:12Z", "2024-08-03 07:05:12"),  # aware vs naive
        (Kind.JSON, '"abc"', "abc"),  # a JSON string vs text that is not JSON
        (Kind.JSON, "NaN", "null"),
        (Kind.TEXT, "a", "a "),
        (None, 1, 1.0),
        (Kind.TEXT, "1", 1),
    ],
)
def test_different_values_stay_different(kind: Kind | None, a: object, b: object) -> None:
    assert canonical(kind, jsonable(a)) != canonical(kind, jsonable(b)) or type(
        canonical(kind, jsonable(a))
    ) is not type(canonical(kind, jsonable(b)))


def digest(columns: list[str], kinds: list[Kind | None], rows: list[list[object]]) -> TableDigest:
    digester = TableDigester(columns, kinds)
    for row in rows:
        digester.add_db_row(row)
    return digester.result()


COLUMNS = ["id", "is_archived", "created_at", "payload"]
KINDS: list[Kind | None] = [Kind.INTEGER, Kind.BOOLEAN, Kind.TIMESTAMP, Kind.JSON]
PG_ROWS: list[list[object]] = [
    [1, True, datetime(2024, 8, 3, 7, 5, 12), '{"points": 3, "reason": "late"}'],
    [2, False, None, None],
]
SQLITE_ROWS: list[list[object]] = [
    [1, 1, "2024-08-03 07:05:12", '{"reason":"late","points":3}'],
    [2, 0, None, None],
]


def test_content_hash_is_dialect_and_order_independent() -> None:
    pg = digest(COLUMNS, KINDS, PG_ROWS)
    sqlite = digest(COLUMNS, KINDS, SQLITE_ROWS)
    reversed_ = digest(COLUMNS, KINDS, list(reversed(SQLITE_ROWS)))
    assert pg == sqlite == reversed_
    assert pg.rows == 2
    assert len(pg.content_hash) == 64


def test_content_hash_sees_every_change() -> None:
    base = digest(COLUMNS, KINDS, PG_ROWS)
    changed = [row[:] for row in PG_ROWS]
    changed[1][1] = True
    assert digest(COLUMNS, KINDS, changed) != base
    assert digest(COLUMNS, KINDS, PG_ROWS[:1]) != base
    assert digest(COLUMNS, KINDS, [*PG_ROWS, PG_ROWS[0]]) != base  # a duplicated row
    renamed = ["id", "archived", "created_at", "payload"]
    assert digest(renamed, KINDS, PG_ROWS).content_hash != base.content_hash


def test_big_integers_and_surrogates_in_json_still_hash() -> None:
    rows: list[list[object]] = [
        [1, "x", "2024-01-01 00:00:00", '{"n": 123456789012345678901234567890}']
    ]
    rows.append([2, "y", None, '["\\ud800"]'])
    assert digest(COLUMNS, KINDS, rows).rows == 2


def sample_manifest() -> Manifest:
    return Manifest(
        kind="backup",
        source="postgresql://rgms:***@db/rotc",
        dialect="postgresql",
        tables=[
            TableEntry(
                name="cadets",
                status="present",
                migrated=True,
                rows=2,
                content_hash="a" * 64,
                columns=[ColumnEntry("id", "integer", "integer", False)],
                order_by=["id"],
            ),
            TableEntry(name="activity_images", status="absent_documented", migrated=True),
        ],
        file="legacy.dump",
        path="/backups/legacy.dump",
        size=10,
        sha256="b" * 64,
        problems=[Problem(Severity.NOTICE, "absent_table", "activity_images is absent")],
        details={"pg_dump": "pg_dump (PostgreSQL) 15"},
    )


def test_manifest_round_trip(tmp_path: Path) -> None:
    manifest = sample_manifest()
    path = write_manifest(manifest, tmp_path / "m.json")
    assert not list(tmp_path.glob("*.tmp"))
    again = read_manifest(path)
    assert again.to_dict() == manifest.to_dict()
    assert again.total_rows == 2
    assert again.table("cadets").kinds() == [Kind.INTEGER]


def mutate(data: dict[str, Any], dotted: str, value: object) -> dict[str, Any]:
    target: Any = data
    keys = dotted.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("dotted", "value", "message"),
    [
        ("format", "something-else", "not an rgms-cutover-manifest"),
        ("version", 99, "unsupported manifest version"),
        ("kind", "restore", "unknown manifest kind"),
        ("hash_algorithm", "md5", "unsupported hash algorithm"),
        ("sha256", KeyError, "missing field 'sha256'"),
        ("complete", "yes", "field 'complete' has the wrong type"),
        ("tables.0.rows", -1, "table cadets: negative row count"),
        ("tables.0.rows", True, "table cadets: field 'rows' has the wrong type"),
        ("tables.0.content_hash", "abc", "content_hash is not 64 hex digits"),
        ("tables.0.columns.0.kind", "blob", "unknown column kind"),
        ("total_rows", 3, "total_rows 3 is not the sum"),
        ("problems", [{"severity": "fatal"}], "malformed problem entry"),
    ],
)
def test_invalid_manifests_are_named(
    tmp_path: Path, dotted: str, value: object, message: str
) -> None:
    data = mutate(sample_manifest().to_dict(), dotted, value)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match=message):
        read_manifest(path)


def test_duplicate_tables_and_non_json_are_rejected(tmp_path: Path) -> None:
    data = sample_manifest().to_dict()
    data["tables"].append(data["tables"][0])
    data["total_rows"] = 4
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="listed twice"):
        read_manifest(path)
    path.write_text("{not json")
    with pytest.raises(ManifestError, match="not JSON"):
        read_manifest(path)
    with pytest.raises(ConfigError, match="cannot read manifest"):
        read_manifest(tmp_path / "missing.json")


def test_artefacts_stay_inside_the_manifest_directory(tmp_path: Path) -> None:
    manifest_path = tmp_path / "m.json"
    assert artefact_path(manifest_path, "cadets.json") == tmp_path / "cadets.json"
    for bad in ("../etc/passwd", "/etc/passwd"):
        with pytest.raises(ManifestError, match="outside its directory"):
            artefact_path(manifest_path, bad)


def test_check_file(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"legacy")
    sha = sha256_file(path)
    assert check_file(path, 6, sha) == []
    assert [d.code for d in check_file(path, 7, sha)] == ["file_size"]
    assert [d.code for d in check_file(path, 6, "0" * 64, "cadets")] == ["file_sha256"]
    assert check_file(path, 6, "0" * 64, "cadets")[0].table == "cadets"
    assert [d.code for d in check_file(tmp_path / "nope", 6, sha)] == ["missing_file"]


def test_compare_digests_names_each_table() -> None:
    manifest = sample_manifest()
    good = {"cadets": TableDigest(2, "a" * 64)}
    assert compare_digests(manifest, good) == []
    found = compare_digests(manifest, {"cadets": TableDigest(3, "c" * 64), "users": good["cadets"]})
    assert [(d.code, d.table) for d in found] == [
        ("row_count", "cadets"),
        ("content_hash", "cadets"),
        ("unexpected_table", "users"),
    ]
    assert [(d.code, d.table) for d in compare_digests(manifest, {})] == [
        ("missing_table", "cadets")
    ]
