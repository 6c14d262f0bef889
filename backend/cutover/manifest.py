"""Manifests: what a backup or an export contains, and the content hashes that prove it.

A manifest is a JSON file beside the artefact: timestamp, source (password redacted), dialect,
the artefact's path, size and SHA-256, and per table its status, columns, row count and content
hash. `write_manifest` writes atomically, `read_manifest` validates the structure and raises
`ManifestError` naming the first field that is wrong.

Content hashes are dialect-independent and order-independent:

* each value first takes its JSON form (`jsonable`: the exact form the export writes; dates
  and timestamps as ISO 8601 text);
* then a representation-only normalisation by the column's `Kind` (`canonical`): booleans
  stored as 0/1 or 't'/'f' become true/false, timestamp text in any documented form ('YYYY-MM-DD
  HH:MM:SS', ISO with 'T', fractions, offsets) becomes one ISO form, and JSON text becomes the
  decoded JSON. Nothing else is changed: text is hashed as is, so the hash still sees every
  character of every text value;
* each row is serialised with sorted column names and hashed with SHA-256, and the table hash
  is the sum of the row hashes modulo 2**256 (AdHash), hex encoded. The sum does not depend on
  row order, so any read order gives the same hash, and the hash of a PostgreSQL table equals
  the hash of the same rows in SQLite or in the export files.

This is an integrity check against loss and corruption, not a defence against an adversary who
crafts rows (additive hashes are weaker there); the backup file itself is covered by SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeAlias

import orjson

from cutover import __version__
from cutover.conversions import match_timestamp_text
from cutover.errors import ConfigError, Discrepancy, DiscrepancyError, Problem
from cutover.legacy_schema import Kind

MANIFEST_FORMAT: Final = "rgms-cutover-manifest"
MANIFEST_VERSION: Final = 1
HASH_ALGORITHM: Final = "rowsum-sha256-v1"
_MODULUS: Final = 2**256

Jsonable: TypeAlias = Any  # None | bool | int | float | str | list | dict of those


class ManifestError(DiscrepancyError):
    """A manifest that is not a valid manifest (wrong format, version or field)."""


class UnrepresentableValue(ValueError):
    """A database value that JSON cannot carry faithfully."""


# ----------------------------------------------------------------------------- values


def _text_ok(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def jsonable(value: object, *, strict: bool = True) -> Jsonable:
    """The JSON form of a database value, exactly as the export writes it.

    strict=True (the export) raises UnrepresentableValue for what JSON cannot carry: invalid
    UTF-8, NaN and infinities, binary data and unknown types. strict=False (hashing a database)
    never raises: those become tagged objects such as {"$bytes": "<base64>"}, so a backup of
    any content can still be hashed and compared.
    """
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        if _text_ok(value):  # type: ignore[arg-type]
            return value
        if strict:
            raise UnrepresentableValue("text is not valid UTF-8")
        raw = value.encode("utf-8", "surrogateescape")  # type: ignore[union-attr]
        return {"$invalid_utf8": base64.b64encode(raw).decode()}
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        if strict:
            raise UnrepresentableValue("NaN and infinities are not JSON")
        return {"$float": repr(value)}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        if value.is_finite():
            return str(value)
        if strict:
            raise UnrepresentableValue("NaN and infinities are not JSON")
        return {"$float": str(value)}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        if strict:
            raise UnrepresentableValue("binary data has no JSON form")
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, list | tuple):
        return [jsonable(item, strict=strict) for item in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v, strict=strict) for k, v in value.items()}
    if isinstance(value, int):  # int subclasses (enums)
        return int(value)
    if strict:
        raise UnrepresentableValue(f"{type(value).__name__} has no JSON form")
    return {"$repr": repr(value)}


_PASS_THROUGH: Final = frozenset({int, bool, type(None)})


def jsonable_row(values: Sequence[object], *, strict: bool = True) -> list[Jsonable]:
    """`jsonable` over a row, with the common types (ints, ASCII text, NULL) inlined."""
    out: list[Jsonable] = []
    append = out.append
    for value in values:
        kind = type(value)
        if kind in _PASS_THROUGH or (kind is str and value.isascii()):  # type: ignore[union-attr]
            append(value)
        else:
            append(jsonable(value, strict=strict))
    return out


_TRUE: Final = frozenset({"true", "t", "1"})
_FALSE: Final = frozenset({"false", "f", "0"})


def _canon_bool(value: Jsonable) -> Jsonable:
    if value is True or value is False or value is None:
        return value
    if type(value) is int and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        folded = value.lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    return value


_PLAIN_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", re.ASCII)


def _canon_timestamp(value: Jsonable) -> Jsonable:
    if isinstance(value, str):
        if len(value) == 19 and _PLAIN_TIMESTAMP.fullmatch(value):
            # the common forms ('YYYY-MM-DD HH:MM:SS' / ISO without fraction), parsed in C
            try:
                return datetime.fromisoformat(value).isoformat()
            except ValueError:
                return value
        moment = match_timestamp_text(value)
        if moment is not None:
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC)
            return moment.isoformat()
    return value


def _keep_constant(name: str) -> Any:
    return {"$const": name}


def _canon_json(value: Jsonable) -> Jsonable:
    if isinstance(value, str):
        try:
            return {"$json": json.loads(value, parse_constant=_keep_constant)}
        except (ValueError, RecursionError):
            return value
    return value


def _identity(value: Jsonable) -> Jsonable:
    return value


_CANON: Final[Mapping[Kind, Callable[[Jsonable], Jsonable]]] = {
    Kind.BOOLEAN: _canon_bool,
    Kind.TIMESTAMP: _canon_timestamp,
    Kind.JSON: _canon_json,
}


def canonical(kind: Kind | None, value: Jsonable) -> Jsonable:
    """The representation-independent form of a JSON-form value (see the module docstring)."""
    if kind is None:
        return value
    return _CANON.get(kind, _identity)(value)


def _row_bytes(row: dict[str, Jsonable]) -> bytes:
    try:
        return orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        # Integers beyond 64 bits or surrogates inside decoded JSON: the stdlib encoder
        # handles both, deterministically for the same row.
        return json.dumps(row, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class TableDigest:
    rows: int
    content_hash: str


class TableDigester:
    """Accumulates the row count and content hash of one table."""

    def __init__(self, columns: Sequence[str], kinds: Sequence[Kind | None]) -> None:
        if len(columns) != len(kinds):
            raise ValueError("one kind per column")
        self.columns = tuple(columns)
        # Only the columns whose kind has a normalisation need a per-value call.
        self._canon = tuple(
            (index, name, _CANON[kind])
            for index, (name, kind) in enumerate(zip(columns, kinds, strict=True))
            if kind in _CANON
        )
        self.rows = 0
        self._sum = 0

    def add_jsonable(self, values: Sequence[Jsonable]) -> None:
        """Add a row already in JSON form (as written to, or read from, an export file)."""
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        row = dict(zip(self.columns, values, strict=True))
        for index, name, canon in self._canon:
            row[name] = canon(values[index])
        self._sum += int.from_bytes(hashlib.sha256(_row_bytes(row)).digest(), "big")
        self.rows += 1

    def add_db_row(self, values: Sequence[object]) -> None:
        """Add a row as the database returned it."""
        self.add_jsonable(jsonable_row(values, strict=False))

    def result(self) -> TableDigest:
        return TableDigest(self.rows, f"{self._sum % _MODULUS:064x}")


# ----------------------------------------------------------------------------- files


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- manifest model


@dataclass(slots=True)
class ColumnEntry:
    name: str
    declared_type: str
    kind: str | None
    nullable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "declared_type": self.declared_type,
            "kind": self.kind,
            "nullable": self.nullable,
        }


@dataclass(slots=True)
class TableEntry:
    name: str
    status: str
    migrated: bool
    rows: int | None = None
    content_hash: str | None = None
    columns: list[ColumnEntry] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    file: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def kinds(self) -> list[Kind | None]:
        return [Kind(c.kind) if c.kind else None for c in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "migrated": self.migrated,
            "rows": self.rows,
            "content_hash": self.content_hash,
            "columns": [c.to_dict() for c in self.columns],
            "order_by": self.order_by,
            "file": self.file,
            "file_size": self.file_size,
            "file_sha256": self.file_sha256,
            "unknown_columns": self.unknown_columns,
            "missing_columns": self.missing_columns,
            "absent_columns": self.absent_columns,
        }


@dataclass(slots=True)
class Manifest:
    kind: str  # "backup" or "export"
    source: str
    dialect: str
    tables: list[TableEntry]
    created_at: str = field(default_factory=utc_now_iso)
    complete: bool = True
    file: str | None = None  # the backup file, relative to the manifest's directory
    path: str | None = None  # the backup file's absolute path when it was written
    size: int | None = None
    sha256: str | None = None
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    hash_algorithm: str = HASH_ALGORITHM
    tool_version: str = __version__

    def table(self, name: str) -> TableEntry:
        for entry in self.tables:
            if entry.name == name:
                return entry
        raise KeyError(f"manifest has no table {name!r}")

    @property
    def total_rows(self) -> int:
        return sum(t.rows or 0 for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "kind": self.kind,
            "created_at": self.created_at,
            "complete": self.complete,
            "source": self.source,
            "dialect": self.dialect,
            "file": self.file,
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "hash_algorithm": self.hash_algorithm,
            "tool_version": self.tool_version,
            "total_rows": self.total_rows,
            "tables": [t.to_dict() for t in self.tables],
            "problems": [p.as_dict() for p in self.problems],
            "details": self.details,
        }


# ----------------------------------------------------------------------------- read / write


def write_manifest(manifest: Manifest, path: Path) -> Path:
    """Write atomically (temporary file, then rename): a reader never sees half a manifest."""
    data = orjson.dumps(manifest.to_dict(), option=orjson.OPT_INDENT_2) + b"\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def _req(data: Mapping[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise ManifestError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
        raise ManifestError(f"{where}: field {key!r} has the wrong type ({type(value).__name__})")
    return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


_OPT_INT = (int, type(None))
_OPT_STR = (str, type(None))


def _column_from(data: Any, where: str) -> ColumnEntry:
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: a column entry is not an object")
    kind = _req(data, "kind", _OPT_STR, where)
    if kind is not None and kind not in {k.value for k in Kind}:
        raise ManifestError(f"{where}: unknown column kind {kind!r}")
    return ColumnEntry(
        name=_req(data, "name", str, where),
        declared_type=_req(data, "declared_type", str, where),
        kind=kind,
        nullable=_req(data, "nullable", bool, where),
    )


def _str_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    items = _req(data, key, list, where)
    if not all(isinstance(i, str) for i in items):
        raise ManifestError(f"{where}: {key!r} must be a list of names")
    return list(items)


def _table_from(data: Any, index: int) -> TableEntry:
    where = f"tables[{index}]"
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: not an object")
    name = _req(data, "name", str, where)
    where = f"table {name}"
    rows = _req(data, "rows", _OPT_INT, where)
    if rows is not None and rows < 0:
        raise ManifestError(f"{where}: negative row count")
    content_hash = _req(data, "content_hash", _OPT_STR, where)
    if content_hash is not None and len(content_hash) != 64:
        raise ManifestError(f"{where}: content_hash is not 64 hex digits")
    return TableEntry(
        name=name,
        status=_req(data, "status", str, where),
        migrated=_req(data, "migrated", bool, where),
        rows=rows,
        content_hash=content_hash,
        columns=[_column_from(c, where) for c in _req(data, "columns", list, where)],
        order_by=_str_list(data, "order_by", where),
        file=_req(data, "file", _OPT_STR, where),
        file_size=_req(data, "file_size", _OPT_INT, where),
        file_sha256=_req(data, "file_sha256", _OPT_STR, where),
        unknown_columns=_str_list(data, "unknown_columns", where),
        missing_columns=_str_list(data, "missing_columns", where),
        absent_columns=_str_list(data, "absent_columns", where),
    )


def manifest_from_dict(data: Any) -> Manifest:
    if not isinstance(data, dict):
        raise ManifestError("the manifest is not a JSON object")
    if data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"not an {MANIFEST_FORMAT} file (format {data.get('format')!r})")
    if data.get("version") != MANIFEST_VERSION:
        raise ManifestError(f"unsupported manifest version {data.get('version')!r}")
    where = "manifest"
    kind = _req(data, "kind", str, where)
    if kind not in {"backup", "export"}:
        raise ManifestError(f"unknown manifest kind {kind!r}")
    algorithm = _req(data, "hash_algorithm", str, where)
    if algorithm != HASH_ALGORITHM:
        raise ManifestError(f"unsupported hash algorithm {algorithm!r}")
    tables = [_table_from(t, i) for i, t in enumerate(_req(data, "tables", list, where))]
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise ManifestError("a table is listed twice")
    problems = []
    for item in _req(data, "problems", list, where):
        try:
            problems.append(Problem.from_dict(item))
        except (KeyError, ValueError, TypeError) as exc:
            raise ManifestError(f"manifest: malformed problem entry {item!r}") from exc
    manifest = Manifest(
        kind=kind,
        source=_req(data, "source", str, where),
        dialect=_req(data, "dialect", str, where),
        tables=tables,
        created_at=_req(data, "created_at", str, where),
        complete=_req(data, "complete", bool, where),
        file=_req(data, "file", _OPT_STR, where),
        path=_req(data, "path", _OPT_STR, where),
        size=_req(data, "size", _OPT_INT, where),
        sha256=_req(data, "sha256", _OPT_STR, where),
        problems=problems,
        details=_req(data, "details", dict, where),
        hash_algorithm=algorithm,
        tool_version=_req(data, "tool_version", str, where),
    )
    total = data.get("total_rows")
    if total is not None and total != manifest.total_rows:
        raise ManifestError(
            f"manifest: total_rows {total} is not the sum of the table rows ({manifest.total_rows})"
        )
    return manifest


def read_manifest(path: Path) -> Manifest:
    """Read and validate a manifest. ConfigError if it cannot be read, ManifestError if it is
    not a valid manifest."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read manifest {path}: {exc.strerror or exc}") from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not JSON: {exc}") from exc
    return manifest_from_dict(data)


def artefact_path(manifest_path: Path, relative: str) -> Path:
    """Resolve a file named in a manifest relative to the manifest's directory."""
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ManifestError(f"manifest names a file outside its directory: {relative!r}")
    return manifest_path.parent / candidate


# ----------------------------------------------------------------------------- comparisons


def check_file(
    path: Path, size: int | None, sha256: str | None, table: str | None = None
) -> list[Discrepancy]:
    """The file exists with the size and SHA-256 the manifest recorded."""
    label = f"{table}: " if table else ""
    if not path.is_file():
        return [Discrepancy("missing_file", f"{label}file {path.name} is missing", table)]
    found: list[Discrepancy] = []
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        found.append(
            Discrepancy(
                "file_size",
                f"{label}{path.name} is {actual_size} bytes, the manifest says {size}",
                table,
                size,
                actual_size,
            )
        )
    if sha256 is not None:
        actual = sha256_file(path)
        if actual != sha256:
            found.append(
                Discrepancy(
                    "file_sha256",
                    f"{label}{path.name} SHA-256 differs from the manifest",
                    table,
                    sha256,
                    actual,
                )
            )
    return found


def compare_digests(manifest: Manifest, actual: Mapping[str, TableDigest]) -> list[Discrepancy]:
    """Row counts and content hashes the manifest recorded versus those recomputed."""
    found: list[Discrepancy] = []
    recorded = {t.name: t for t in manifest.tables if t.rows is not None}
    for name, entry in recorded.items():
        digest = actual.get(name)
        if digest is None:
            found.append(Discrepancy("missing_table", f"table {name} is missing", name))
            continue
        if digest.rows != entry.rows:
            found.append(
                Discrepancy(
                    "row_count",
                    f"table {name}: {digest.rows} rows, the manifest recorded {entry.rows}",
                    name,
                    entry.rows,
                    digest.rows,
                )
            )
        if digest.content_hash != entry.content_hash:
            found.append(
                Discrepancy(
                    "content_hash",
                    f"table {name}: content differs from the manifest",
                    name,
                    entry.content_hash,
                    digest.content_hash,
                )
            )
    found.extend(
        Discrepancy("unexpected_table", f"table {name} is not in the manifest", name)
        for name in sorted(set(actual) - set(recorded))
    )
    return found
