"""Synthetic legacy databases: the legacy DDL shapes with realistic data, for the rehearsal,
the tests and the benchmarks.

`seed_legacy_database(url, SeedConfig(scale=1.0))` creates, in an empty PostgreSQL database or
a new SQLite file, the tables as the legacy backend left them (derived from
`cutover.legacy_schema`, not copied from the broken legacy DDL) and fills them:

* PostgreSQL variant: no cadets.religion, the reduced excuse_letters form, naive TIMESTAMP,
  the BOOLEAN/INTEGER mix (users.is_approved INTEGER), JSONB audit payloads, activity_images,
  user_settings.custom_bg, grades.lifetime_merit_points, training_staff.qr_code_data, the
  plpgsql audit trigger and the legacy indexes;
* SQLite variant: INTEGER 0/1 booleans, TEXT timestamps ('YYYY-MM-DD HH:MM:SS', plus the ISO
  'T...Z' text that JavaScript writes for some columns), religion, the full excuse_letters
  form, no lifetime_merit_points, the three string-concatenating audit triggers, and a few
  documented text-date quirks ('' and 'MM/DD/YYYY' birthdates).

Scale 1.0 is the benchmark size: 3000 cadets, 40 staff, 15 training days, one attendance row
per cadet and day, a grades row per cadet, ~3 ledger rows per cadet with their audit_logs and
sync_events rows (inserts, some updates and deletes), one notification per attendance mark,
and ~130k rows in all. The data is deterministic for a given seed.

Users: the admin, every staff user and a known subset of cadets have real bcrypt `$2a$` cost-10
hashes of known passwords (`SeedResult.credentials`, also written by `write_credentials`):
distinct hashes for a handful, including hostile passwords (spaces at both ends, unicode,
quotes, over 72 bytes, `$2b$`/`$2y$` prefixes), and one shared precomputed hash for the rest
(bcrypt cost 10 costs ~60 ms per hash). Other cadets hold the `$2a$10$DUMMY...` placeholder
the legacy import wrote, and one user holds a corrupted hash; both must migrate unusable.
"""

# Synthetic legacy data on purpose: naive timestamps (the legacy columns are naive), known
# test passwords, a seeded (reproducible, not cryptographic) PRNG, row-building loops.
# ruff: noqa: DTZ001, S105, S311, PERF401

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import string
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import bcrypt
import orjson
import psycopg
from psycopg import sql

from cutover.errors import ConfigError
from cutover.legacy_schema import (
    DEPENDENCY_ORDER,
    LEGACY_INDEXES,
    TABLES_BY_NAME,
    Column,
    Dialect,
    Kind,
    Table,
)
from cutover.sources import (
    SourceLocation,
    connect_postgres,
    parse_source_url,
)

PLACEHOLDER_PASSWORD = "$2a$10$DUMMYHASHFORIMPORTEDCADETSNOPASSWORDSETxxxxxxxxxxxxxxxxxx"
CORRUPTED_HASH = "$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z1.1kPzEkV2D8yaR4hOa2b"  # 55 chars
SHARED_STAFF_PASSWORD = "rotc-staff-2024"
SHARED_CADET_PASSWORD = "cadet pass 2024"
BCRYPT_COST = 10
DEFAULT_SEED = 20240803
_BCRYPT_ALPHABET = "./" + string.ascii_uppercase + string.ascii_lowercase + string.digits

Excuse = Literal["reduced", "full"]


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True, slots=True)
class SeedConfig:
    """What to generate. None means "as the dialect's legacy database has it"."""

    scale: float = 1.0
    seed: int = DEFAULT_SEED
    cadets: int | None = None
    staff: int | None = None
    training_days: int = 15
    excuse_form: Excuse | None = None  # PG: reduced, SQLite: full
    religion: bool | None = None  # PG: absent, SQLite: present
    lifetime_merit_points: bool | None = None  # PG: present, SQLite: absent
    qr_code_data: bool | None = None  # PG: present (the QR route ran), SQLite: absent
    activity_images: bool | None = None  # PG only
    custom_bg: bool | None = None  # PG only
    quirks: bool = True  # documented legacy oddities (text dates, ISO text, orphans...)
    triggers: bool = True
    indexes: bool = True

    @property
    def cadet_count(self) -> int:
        return self.cadets if self.cadets is not None else max(5, round(3000 * self.scale))

    @property
    def staff_count(self) -> int:
        return self.staff if self.staff is not None else max(6, round(40 * self.scale))

    def resolved(self, dialect: Dialect) -> SeedConfig:
        pg = dialect is Dialect.POSTGRESQL

        def pick(value: bool | None, pg_default: bool) -> bool:
            return (pg_default if pg else not pg_default) if value is None else value

        return replace(
            self,
            excuse_form=self.excuse_form or ("reduced" if pg else "full"),
            religion=pick(self.religion, False),
            lifetime_merit_points=pick(self.lifetime_merit_points, True),
            qr_code_data=pick(self.qr_code_data, True),
            activity_images=pick(self.activity_images, True),
            custom_bg=pick(self.custom_bg, True),
        )


@dataclass(frozen=True, slots=True)
class KnownCredential:
    username: str
    password: str
    role: str
    user_id: int
    hash_prefix: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "password": self.password,
            "role": self.role,
            "user_id": self.user_id,
            "hash_prefix": self.hash_prefix,
            "note": self.note,
        }


@dataclass(slots=True)
class SeedResult:
    source: str
    dialect: Dialect
    config: SeedConfig
    counts: dict[str, int]
    credentials: list[KnownCredential]
    placeholder_users: int
    invalid_hash_users: int
    quirks: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dialect": str(self.dialect),
            "seed": self.config.seed,
            "scale": self.config.scale,
            "counts": self.counts,
            "total_rows": self.total_rows,
            "placeholder_users": self.placeholder_users,
            "invalid_hash_users": self.invalid_hash_users,
            "quirks": self.quirks,
            "seconds": round(self.seconds, 3),
            "credentials": [c.as_dict() for c in self.credentials],
        }

    def write_credentials(self, path: Path) -> Path:
        """The sidecar JSON with the known passwords (synthetic data only)."""
        path.write_bytes(orjson.dumps(self.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return path


# ----------------------------------------------------------------------------- DDL


def present_columns(table: Table, dialect: Dialect, config: SeedConfig) -> tuple[Column, ...]:
    """The columns the seeded table has, in legacy declaration order."""
    cfg = config.resolved(dialect)
    optional = {
        ("cadets", "religion"): cfg.religion,
        ("grades", "lifetime_merit_points"): cfg.lifetime_merit_points,
        ("training_staff", "qr_code_data"): cfg.qr_code_data,
        ("user_settings", "custom_bg"): cfg.custom_bg,
    }
    columns = []
    for col in table.columns:
        key = (table.name, col.name)
        if key in optional:
            keep = bool(optional[key])
        elif table.name == "excuse_letters" and table.reduced_form is not None:
            keep = cfg.excuse_form == "full" or col.name in table.reduced_form.columns
        else:
            keep = col.is_expected_in(dialect)
        if keep:
            columns.append(col)
    return tuple(columns)


def present_tables(dialect: Dialect, config: SeedConfig) -> tuple[Table, ...]:
    cfg = config.resolved(dialect)
    tables = []
    for name in DEPENDENCY_ORDER:
        table = TABLES_BY_NAME[name]
        if name == "activity_images":
            if cfg.activity_images:
                tables.append(table)
        elif table.is_expected_in(dialect):
            tables.append(table)
    return tuple(tables)


def _column_ddl(col: Column, table: Table, dialect: Dialect, reduced: bool) -> str:
    pg = dialect is Dialect.POSTGRESQL
    if col.primary_key and col.name == "id":
        return "id SERIAL PRIMARY KEY" if pg else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    col_type = col.type_for(dialect)
    if reduced and table.reduced_form is not None:
        forms = table.reduced_form.pg_types if pg else table.reduced_form.sqlite_types
        col_type = forms.get(col.name, col_type)
    parts = [col.name if col.name not in {"key", "keys"} else f'"{col.name}"', col_type]
    if col.primary_key:
        parts.append("PRIMARY KEY")
    elif not col.nullable and not reduced:
        parts.append("NOT NULL")
    default = col.default_for(dialect)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    if col.unique:
        parts.append("UNIQUE")
    ref = col.references
    if ref is not None and dialect in ref.enforced_in and not reduced:
        parts.append(f"REFERENCES {ref.table}({ref.column}) ON DELETE {ref.on_delete}")
    return " ".join(parts)


def create_table_sql(table: Table, dialect: Dialect, config: SeedConfig) -> str:
    cfg = config.resolved(dialect)
    reduced = table.name == "excuse_letters" and cfg.excuse_form == "reduced"
    cols = present_columns(table, dialect, config)
    lines = [_column_ddl(c, table, dialect, reduced) for c in cols]
    names = {c.name for c in cols}
    lines += [
        f"UNIQUE ({', '.join(group)})" for group in table.unique_together if set(group) <= names
    ]
    lines += [f"CHECK ({check})" for check in table.checks]
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {table.name} (\n    {body}\n)"


_PG_AUDIT_TRIGGER = """
CREATE OR REPLACE FUNCTION fn_merit_demerit_audit() RETURNS trigger AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
        VALUES ('merit_demerit_logs', 'INSERT', NEW.id, NEW.issued_by_user_id,
                json_build_object('cadet_id', NEW.cadet_id, 'type', NEW.type,
                                  'points', NEW.points, 'reason', NEW.reason,
                                  'issued_by_name', NEW.issued_by_name));
        INSERT INTO sync_events (event_type, cadet_id, payload)
        VALUES (NEW.type || '_added', NEW.cadet_id,
                json_build_object('log_id', NEW.id, 'points', NEW.points, 'reason', NEW.reason));
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
        VALUES ('merit_demerit_logs', 'UPDATE', NEW.id, NEW.issued_by_user_id,
                json_build_object(
                    'before', json_build_object('points', OLD.points, 'type', OLD.type,
                                                'reason', OLD.reason),
                    'after', json_build_object('points', NEW.points, 'type', NEW.type,
                                               'reason', NEW.reason)));
        INSERT INTO sync_events (event_type, cadet_id, payload)
        VALUES ('ledger_updated', NEW.cadet_id, json_build_object('log_id', NEW.id));
        RETURN NEW;
    END IF;
    INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
    VALUES ('merit_demerit_logs', 'DELETE', OLD.id, OLD.issued_by_user_id,
            json_build_object('cadet_id', OLD.cadet_id, 'type', OLD.type,
                              'points', OLD.points, 'reason', OLD.reason));
    INSERT INTO sync_events (event_type, cadet_id, payload)
    VALUES (OLD.type || '_deleted', OLD.cadet_id,
            json_build_object('log_id', OLD.id, 'points', OLD.points, 'reason', OLD.reason));
    RETURN OLD;
END;
$fn$ LANGUAGE plpgsql;
CREATE TRIGGER trg_merit_demerit_audit
AFTER INSERT OR UPDATE OR DELETE ON merit_demerit_logs
FOR EACH ROW EXECUTE FUNCTION fn_merit_demerit_audit();
"""

# The SQLite triggers build JSON by concatenating text, as the legacy ones do: a double quote
# in a reason makes json() fail, and with it the ledger statement.
_SQLITE_AUDIT_TRIGGERS = """
CREATE TRIGGER trg_merit_demerit_audit AFTER INSERT ON merit_demerit_logs
BEGIN
    INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
    VALUES ('merit_demerit_logs', 'INSERT', NEW.id, NEW.issued_by_user_id,
        json('{"cadet_id":' || NEW.cadet_id || ',"type":"' || NEW.type || '","points":'
             || NEW.points || ',"reason":"' || COALESCE(NEW.reason, '')
             || '","issued_by_name":"' || COALESCE(NEW.issued_by_name, '') || '"}'));
    INSERT INTO sync_events (event_type, cadet_id, payload)
    VALUES (NEW.type || '_added', NEW.cadet_id,
        json('{"log_id":' || NEW.id || ',"points":' || NEW.points || ',"reason":"'
             || COALESCE(NEW.reason, '') || '"}'));
END;
CREATE TRIGGER trg_merit_demerit_audit_upd AFTER UPDATE ON merit_demerit_logs
BEGIN
    INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
    VALUES ('merit_demerit_logs', 'UPDATE', NEW.id, NEW.issued_by_user_id,
        json('{"before":{"type":"' || OLD.type || '","points":' || OLD.points
             || ',"reason":"' || COALESCE(OLD.reason, '') || '"},"after":{"type":"'
             || NEW.type || '","points":' || NEW.points || ',"reason":"'
             || COALESCE(NEW.reason, '') || '"}}'));
    INSERT INTO sync_events (event_type, cadet_id, payload)
    VALUES ('ledger_updated', NEW.cadet_id, json('{"log_id":' || NEW.id || '}'));
END;
CREATE TRIGGER trg_merit_demerit_audit_del AFTER DELETE ON merit_demerit_logs
BEGIN
    INSERT INTO audit_logs (table_name, operation, record_id, user_id, payload)
    VALUES ('merit_demerit_logs', 'DELETE', OLD.id, OLD.issued_by_user_id,
        json('{"cadet_id":' || OLD.cadet_id || ',"type":"' || OLD.type || '","points":'
             || OLD.points || ',"reason":"' || COALESCE(OLD.reason, '') || '"}'));
    INSERT INTO sync_events (event_type, cadet_id, payload)
    VALUES (OLD.type || '_deleted', OLD.cadet_id,
        json('{"log_id":' || OLD.id || ',"points":' || OLD.points || '}'));
END;
"""


# ----------------------------------------------------------------------------- passwords


ADMIN_PASSWORD = "Admin-rehearsal-2024!"
HOSTILE_PASSWORDS: tuple[tuple[str, str, str], ...] = (
    # (password, bcrypt prefix, note)
    (" \u00d1and\u00fa pass \U0001f510 ", "2a", "spaces at both ends, unicode and emoji"),
    ("O'Brien\"; DROP TABLE users; --", "2a", "quotes and SQL"),
    ("b-prefix password", "2b", "$2b$ hash"),
    ("y-prefix password", "2y", "$2y$ hash (crypt_blowfish)"),
    ("long " * 20, "2a", "100 bytes: bcryptjs used only the first 72"),
)


def salt_for(password: str, prefix: str = "2a") -> bytes:
    """A deterministic bcrypt salt per password (synthetic data must be reproducible)."""
    digest = hashlib.sha256(password.encode()).digest()
    body = "".join(_BCRYPT_ALPHABET[b % 64] for b in digest[:21]) + ".Oeu"[digest[21] % 4]
    return f"${prefix}${BCRYPT_COST:02d}${body}".encode()


# bcrypt cost 10 takes ~70 ms a hash, so the fixed passwords come precomputed (with the salts
# salt_for gives them); tests recompute them. Anything else is hashed on first use.
PRECOMPUTED_HASHES: dict[tuple[str, str], str] = {
    (ADMIN_PASSWORD, "2a"): "$2a$10$q0exonHBUXZJr2ANqxitJ.C0DWlpmvK5Tywu3WntpLkMCRpxuQYD6",
    (SHARED_STAFF_PASSWORD, "2a"): "$2a$10$7bc0tH6cdbDW9BgVsdg64u1iGdZqQ.td/Gd61ybPsk/3DIWKYoesO",
    (SHARED_CADET_PASSWORD, "2a"): "$2a$10$EgWzaqpsYLkkhAUIQ6x8NuYxaxa1TpN9Maf3OnbPOpoMayvEpK9ZC",
    (HOSTILE_PASSWORDS[0][0], "2a"): "$2a$10$z3OLa5KDWmQThN9JMrMx5Ouj9f2WkJ/PwEwjv2ngi.RiHm4DYPU1O",
    (HOSTILE_PASSWORDS[1][0], "2a"): "$2a$10$wI7edBsQaHObmhUVHqqrUuQoEINRq2j61.RBTu7miLDAwdlMLKVuO",
    (HOSTILE_PASSWORDS[2][0], "2b"): "$2b$10$2i7iCYlYCH67uIoDtfI5wOJkGGHtWe7.zutMSy1RZJ1nsRqqDA1Me",
    (HOSTILE_PASSWORDS[3][0], "2y"): "$2y$10$Qs7oryuxuGZrgLbAFhEuEudI2BrSjHn9/eHEh4C3W65QAYTYRat5K",
    (HOSTILE_PASSWORDS[4][0], "2a"): "$2a$10$IzO5xDE7PrjotMzJKcxgBuagAp.hjQ44Ek6ogud8Sn2erhD64MtQ6",
}


@lru_cache(maxsize=256)
def bcrypt_hash(password: str, prefix: str = "2a") -> str:
    """bcrypt of the password as bcryptjs made it: cost 10, first 72 bytes, `prefix` ('2a',
    '2b' or '2y'; pyca/bcrypt writes '$2y$' hashes as '$2b$', the same algorithm)."""
    cached = PRECOMPUTED_HASHES.get((password, prefix))
    if cached is not None:
        return cached
    raw = password.encode()[:72]  # bcryptjs hashes only the first 72 bytes
    hashed = bcrypt.hashpw(raw, salt_for(password, "2b" if prefix == "2y" else prefix)).decode()
    return "$2y$" + hashed[4:] if prefix == "2y" else hashed


# ----------------------------------------------------------------------------- data

FIRST_NAMES = (
    "Juan",
    "Maria",
    "Jose",
    "Ana",
    "Mark",
    "Angelica",
    "John Paul",
    "Kristine",
    "Jerome",
    "Princess",
    "Rhea",
    "Aldrin",
    "Jasmine",
    "Norhana",
    "Abdul",
    "Sittie",
    "Mohammad",
    "Aisah",
    "Renée",
    "Niño",
    "Rosalía",
    "Jun-Jun",
    "Ma. Cristina",
    "Datu",
    "Bai",
)
LAST_NAMES = (
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Ocampo",
    "Garcia",
    "Mendoza",
    "Torres",
    "Dela Cruz",
    "Villanueva",
    "Macaraeg",
    "Sarip",
    "Abdulrahman",
    "Mangondato",
    "Dimaporo",
    "Muñoz",
    "D'Souza",
    "Pangandaman",
    "Lucman",
    "Alonto",
    "Macabangkit",
    "Tomawis",
)
COURSES = ("BSCS", "BSIT", "BSED", "BSBA", "BSCE", "BSN", "BS Agriculture", "BA Political Sci")
COMPANIES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
RELIGIONS = ("Islam", "Roman Catholic", "Protestant", "Iglesia ni Cristo", None)
MERIT_REASONS = (
    "Outstanding performance in drill",
    "Volunteered for color guard",
    "Best in formation",
    "Assisted in community service",
    "Leadership during field exercise",
)
DEMERIT_REASONS = (
    "Late for formation",
    "Improper uniform",
    "Talking in ranks",
    "Absent without leave",
    "Haircut not regulation",
    "Unpolished combat boots",
)
PRIVILEGED_ROLES = (
    "Commandant", "Assistant Commandant", "NSTP Director", "ROTC Coordinator", "Admin NCO",
)  # fmt: skip
SYSTEM_SETTINGS = (
    ("cadet_list_source_url", "https://docs.google.com/spreadsheets/d/rotc-cadet-list"),
    ("email_alerts_default", "true"),
    ("push_notifications_default", "true"),
    ("activity_updates_default", "true"),
    ("dark_mode_default", "false"),
    ("compact_mode_default", "false"),
    ("primary_color", "blue"),
)
SEMESTER_START = date(2024, 8, 3)  # a Saturday


def _clean(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())


@dataclass(slots=True)
class _Generated:
    rows: dict[str, list[dict[str, Any]]]
    credentials: list[KnownCredential]
    placeholder_users: int
    invalid_hash_users: int
    quirks: dict[str, int]


class _Generator:
    """Builds dialect-neutral logical rows (bools, datetimes, dates, JSON objects)."""

    def __init__(self, dialect: Dialect, config: SeedConfig) -> None:
        self.dialect = dialect
        self.cfg = config.resolved(dialect)
        self.rng = random.Random(config.seed)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.quirks: dict[str, int] = defaultdict(int)
        self.days: list[tuple[int, date, str]] = []
        self._midnights: dict[date, datetime] = {}

    # -- helpers
    def moment(self, day: date, start_hour: int = 7, end_hour: int = 17) -> datetime:
        seconds = start_hour * 3600 + int(self.rng.random() * (end_hour - start_hour) * 3600)
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = self._midnights[day] = datetime(day.year, day.month, day.day)
        return midnight + timedelta(seconds=seconds)

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def pick(self, p: float) -> bool:
        return self.rng.random() < p

    # -- tables
    def training_days(self) -> None:
        for i in range(self.cfg.training_days):
            day = SEMESTER_START + timedelta(days=7 * i)
            title = f"Training Day {i + 1}"
            self.days.append((i + 1, day, title))
            self.rows["training_days"].append(
                {
                    "id": i + 1,
                    "date": day,
                    "title": title,
                    "description": self.rng.choice(
                        (None, "Drill and ceremonies", "Field exercise", "Lecture: first aid")
                    ),
                }
            )

    def cadets(self) -> None:
        rng = self.rng
        for i in range(1, self.cfg.cadet_count + 1):
            first, last = self.name()
            created = datetime(2024, 6, 1) + timedelta(minutes=rng.randrange(60 * 24 * 60))
            birth: Any = date(2002, 1, 1) + timedelta(days=rng.randrange(365 * 5))
            if self.pick(0.08):
                birth = None
            row = {
                "id": i,
                "rank": rng.choice(("Cdt", "Cdt Pvt", "Cdt Cpl", "Cdt Sgt", None)),
                "first_name": first,
                "middle_name": rng.choice((None, "A.", "Bautista", "Lopez")),
                "last_name": last,
                "suffix_name": "Jr." if self.pick(0.03) else None,
                "email": None
                if self.pick(0.1)
                else f"{_clean(first)}.{_clean(last)}{i}@s.msu.edu.ph",
                "contact_number": f"09{rng.randrange(10**9):09d}",
                "address": f"Purok {rng.randrange(1, 12)}, Marawi City",
                "course": rng.choice(COURSES),
                "year_level": rng.choice(("1st Year", "2nd Year")),
                "school_year": "2024-2025",
                "battalion": rng.choice(("1st Bn", "2nd Bn")),
                "company": rng.choice(COMPANIES),
                "platoon": str(rng.randrange(1, 5)),
                "cadet_course": rng.choice(("MS 1", "MS 2")),
                "semester": "1st Semester",
                "corp_position": "Platoon Leader" if self.pick(0.02) else None,
                "gender": rng.choice(("Male", "Female")),
                "status": rng.choices(("Ongoing", "Verified", "Completed"), (85, 10, 5))[0],
                "student_id": f"2024-{i:05d}",
                "profile_pic": f"https://res.cloudinary.com/rgms/cadets/{i}.jpg"
                if self.pick(0.3)
                else None,
                "is_profile_completed": self.pick(0.75),
                "is_archived": self.pick(0.02),
                "has_seen_guide": self.pick(0.6),
                "created_at": created,
                "birthdate": birth,
                "religion": rng.choice(RELIGIONS),
            }
            if self.dialect is Dialect.SQLITE and self.cfg.quirks and birth is not None:
                if self.pick(0.02):
                    row["birthdate"] = ""
                    self.quirks["empty_text_birthdate"] += 1
                elif self.pick(0.02):
                    row["birthdate"] = birth.strftime("%m/%d/%Y")
                    self.quirks["month_first_text_birthdate"] += 1
            self.rows["cadets"].append(row)

    def staff(self) -> None:
        rng = self.rng
        for i in range(1, self.cfg.staff_count + 1):
            first, last = self.name()
            birth = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 25))
            self.rows["training_staff"].append(
                {
                    "id": i,
                    "rank": rng.choice(("SSg", "TSg", "MSg", "1Lt", "Cpt", "Maj")),
                    "first_name": first,
                    "middle_name": None,
                    "last_name": last,
                    "suffix_name": None,
                    "email": None
                    if i % 9 == 0
                    else f"{_clean(first)}.{_clean(last)}.{i}@afp.mil.ph",
                    "contact_number": f"09{rng.randrange(10**9):09d}",
                    "role": PRIVILEGED_ROLES[i - 1] if i <= len(PRIVILEGED_ROLES) else "Instructor",
                    "profile_pic": None,
                    "afpsn": f"O-{rng.randrange(100000, 999999)}",
                    "birthdate": birth,
                    "birthplace": "Marawi City",
                    "age": 2024 - birth.year,
                    "height": f"{rng.randrange(160, 185)} cm",
                    "weight": f"{rng.randrange(55, 90)} kg",
                    "blood_type": rng.choice(("A+", "B+", "O+", "AB+")),
                    "address": "Camp Amai Pakpak, Marawi City",
                    "civil_status": rng.choice(("Single", "Married")),
                    "nationality": "Filipino",
                    "gender": rng.choice(("Male", "Female")),
                    "language_spoken": "Filipino, English, Meranaw",
                    "combat_boots_size": str(rng.randrange(7, 12)),
                    "uniform_size": rng.choice(("S", "M", "L", "XL")),
                    "bullcap_size": rng.choice(("7", "7 1/4", "7 1/2")),
                    "facebook_link": None,
                    "rotc_unit": "MSU-SND ROTC Unit",
                    "mobilization_center": "4th RCDG",
                    "is_profile_completed": self.pick(0.8),
                    "has_seen_guide": self.pick(0.5),
                    "created_at": datetime(2024, 5, 1) + timedelta(hours=i),
                    "is_archived": i == self.cfg.staff_count,
                    "qr_code_data": f"RGMS-STAFF-{i}-{rng.randrange(16**8):08x}"
                    if self.pick(0.5)
                    else None,
                }
            )

    def users(self) -> tuple[list[KnownCredential], int, int]:
        rng = self.rng
        plan: list[tuple[dict[str, Any], str | None, str, str]] = []
        # (row, password or None for placeholder, bcrypt prefix, note)
        user_id = 0

        def add(
            row: dict[str, Any], password: str | None, prefix: str = "2a", note: str = ""
        ) -> None:
            nonlocal user_id
            user_id += 1
            row["id"] = user_id
            plan.append((row, password, prefix, note))

        base = {
            "email": None,
            "profile_pic": None,
            "gender": None,
            "is_archived": False,
            "last_latitude": None,
            "last_longitude": None,
            "last_location_at": None,
            "last_seen": None,
            "cadet_id": None,
            "staff_id": None,
        }
        add(
            {
                **base,
                "username": "msu-sndrotc_admin",
                "role": "admin",
                "is_approved": True,
                "email": "admin@rgms.example",
                "created_at": datetime(2024, 5, 1),
            },
            ADMIN_PASSWORD,
            note="legacy default admin username; synthetic password",
        )
        seen_first: set[str] = set()
        usernames: set[str] = {"msu-sndrotc_admin"}
        for staff in self.rows["training_staff"]:
            first, last = _clean(staff["first_name"]), _clean(staff["last_name"])
            base_name = last if first in seen_first else first
            seen_first.add(first)
            username = base_name
            n = 1
            while username in usernames:
                n += 1
                username = f"{base_name}{n}"
            usernames.add(username)
            distinct = staff["id"] <= 2
            add(
                {
                    **base,
                    "username": username,
                    "role": "training_staff",
                    "staff_id": staff["id"],
                    "is_approved": True,
                    "email": staff["email"],
                    "gender": staff["gender"],
                    "is_archived": staff["is_archived"],
                    "created_at": staff["created_at"],
                    "last_seen": self.moment(self.days[-1][1]) if self.pick(0.7) else None,
                },
                base_name if distinct else SHARED_STAFF_PASSWORD,
                note="legacy rule: lower-case first (or last) name" if distinct else "shared",
            )
        cadets = self.rows["cadets"]
        real_count = max(len(HOSTILE_PASSWORDS) + 2, round(len(cadets) * 0.01))
        for index, cadet in enumerate(cadets):
            row = {
                **base,
                "username": cadet["student_id"],
                "role": "cadet",
                "cadet_id": cadet["id"],
                "is_approved": self.pick(0.92),
                "email": cadet["email"],
                "gender": cadet["gender"],
                "is_archived": cadet["is_archived"],
                "created_at": cadet["created_at"],
                "last_seen": self.moment(self.rng.choice(self.days)[1]) if self.pick(0.6) else None,
            }
            if self.pick(0.2):
                row["last_latitude"] = 7.99 + rng.random() / 100
                row["last_longitude"] = 124.29 + rng.random() / 100
                row["last_location_at"] = row["last_seen"] or self.moment(self.days[0][1])
            if index < len(HOSTILE_PASSWORDS):
                password, prefix, note = HOSTILE_PASSWORDS[index]
                add(row, password, prefix, note)
            elif index < real_count:
                add(row, SHARED_CADET_PASSWORD, note="shared")
            elif index == real_count and self.cfg.quirks:
                add(row, "", note="corrupted hash")
            else:
                add(row, None)

        # Hash each distinct (password, prefix) once; the few not precomputed run in threads
        # (bcrypt releases the GIL).
        jobs = sorted(
            {
                (password, prefix)
                for _row, password, prefix, note in plan
                if password is not None and note != "corrupted hash"
            }
        )
        with ThreadPoolExecutor(max_workers=4) as pool:
            hashed = dict(zip(jobs, pool.map(lambda job: bcrypt_hash(*job), jobs), strict=True))
        credentials: list[KnownCredential] = []
        placeholders = invalid = 0
        for row, password, prefix, note in plan:
            if password is None:
                row["password"] = PLACEHOLDER_PASSWORD
                placeholders += 1
            elif note == "corrupted hash":
                row["password"] = CORRUPTED_HASH
                invalid += 1
                self.quirks["corrupted_password_hash"] += 1
            else:
                value = hashed[(password, prefix)]
                row["password"] = value
                credentials.append(
                    KnownCredential(
                        row["username"], password, row["role"], row["id"], value[:7], note
                    )
                )
            if (
                self.dialect is Dialect.SQLITE
                and self.cfg.quirks
                and row["last_seen"] is not None
                and row["id"] % 7 == 0
            ):
                # node code wrote new Date().toISOString() into these TEXT columns
                row["last_seen"] = row["last_seen"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
                self.quirks["iso_text_last_seen"] += 1
            self.rows["users"].append(row)
        return credentials, placeholders, invalid

    def attendance(self) -> dict[int, int]:
        rng = self.rng
        attended: dict[int, int] = defaultdict(int)
        statuses = ("present", "late", "absent", "excused")
        ident = 0
        records = self.rows["attendance_records"]
        random_ = rng.random
        for day_id, _day, _title in self.days:
            for cadet in self.rows["cadets"]:
                ident += 1
                # present 80 %, late 8 %, absent 8 %, excused 4 %
                roll = random_()
                status = (
                    "present"
                    if roll < 0.80
                    else "late"
                    if roll < 0.88
                    else "absent"
                    if roll < 0.96
                    else "excused"
                )
                time_in = time_out = None
                if status == "present":
                    time_in = f"7:{int(random_() * 30):02d}:{int(random_() * 60):02d} AM"
                elif status == "late":
                    time_in = f"{7 + (random_() < 0.5)}:{31 + int(random_() * 29):02d} AM"
                if time_in and random_() < 0.7:
                    time_out = f"11:{40 + int(random_() * 20):02d}:{int(random_() * 60):02d} AM"
                if status != "absent":
                    attended[cadet["id"]] += 1
                records.append(
                    {
                        "id": ident,
                        "training_day_id": day_id,
                        "cadet_id": cadet["id"],
                        "status": status,
                        "remarks": "Scanned via QR" if random_() < 0.05 else None,
                        "time_in": time_in,
                        "time_out": time_out,
                    }
                )
        ident = 0
        for day_id, _day, _title in self.days:
            for staff in self.rows["training_staff"]:
                ident += 1
                status = rng.choices(statuses, (85, 5, 7, 3))[0]
                self.rows["staff_attendance_records"].append(
                    {
                        "id": ident,
                        "training_day_id": day_id,
                        "staff_id": staff["id"],
                        "status": status,
                        "remarks": None,
                        "time_in": "6:45 AM" if status in ("present", "late") else None,
                        "time_out": None,
                    }
                )
        return attended

    def ledger(self) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
        rng = self.rng
        staff_users = [u for u in self.rows["users"] if u["role"] == "training_staff"]
        admin = self.rows["users"][0]
        entries: list[dict[str, Any]] = []
        for cadet in self.rows["cadets"]:
            for _ in range(rng.choices(range(7), (10, 20, 25, 20, 12, 8, 5))[0]):
                kind = "merit" if self.pick(0.4) else "demerit"
                issuer = rng.choice(staff_users) if self.pick(0.9) else None
                points = rng.randrange(1, 6) if kind == "merit" else rng.randrange(1, 11)
                entries.append(
                    {
                        "cadet_id": cadet["id"],
                        "type": kind,
                        "points": points,
                        "reason": rng.choice(MERIT_REASONS if kind == "merit" else DEMERIT_REASONS),
                        "date_recorded": self.moment(rng.choice(self.days)[1], 8, 12),
                        "issued_by_user_id": issuer["id"] if issuer else None,
                        "issued_by_name": issuer["username"] if issuer else None,
                    }
                )
            if self.pick(0.03):
                entries.append(
                    {
                        "cadet_id": cadet["id"],
                        "type": rng.choice(("merit", "demerit")),
                        "points": -rng.randrange(1, 5),
                        "reason": "Admin grade adjustment",
                        "date_recorded": self.moment(self.days[-1][1], 13, 17),
                        "issued_by_user_id": admin["id"],
                        "issued_by_name": "Administrator",
                    }
                )
                self.quirks["negative_ledger_points"] += 1
        entries.sort(key=lambda e: (e["date_recorded"], e["cadet_id"]))
        events: list[tuple[datetime, str, dict[str, Any], dict[str, Any] | None]] = []
        merits: dict[int, int] = defaultdict(int)
        demerits: dict[int, int] = defaultdict(int)
        lifetime: dict[int, int] = defaultdict(int)
        for ident, entry in enumerate(entries, start=1):
            entry["id"] = ident
            events.append((entry["date_recorded"], "INSERT", dict(entry), None))
            roll = rng.random()
            if roll < 0.01:
                events.append(
                    (
                        entry["date_recorded"] + timedelta(days=rng.randrange(1, 5)),
                        "DELETE",
                        entry,
                        None,
                    )
                )
                continue
            if roll < 0.03:
                before = dict(entry)
                entry["points"] = entry["points"] + 1
                events.append(
                    (
                        entry["date_recorded"] + timedelta(days=rng.randrange(1, 3)),
                        "UPDATE",
                        entry,
                        before,
                    )
                )
            self.rows["merit_demerit_logs"].append(entry)
            if entry["type"] == "merit":
                merits[entry["cadet_id"]] += entry["points"]
                if entry["points"] > 0:
                    lifetime[entry["cadet_id"]] += entry["points"]
            else:
                demerits[entry["cadet_id"]] += entry["points"]
        events.sort(key=lambda e: e[0])
        for when, operation, entry, before in events:
            self._audit(when, operation, entry, before)
        return merits, demerits, lifetime

    def _audit(
        self, when: datetime, operation: str, entry: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        pg = self.dialect is Dialect.POSTGRESQL

        def reason(row: dict[str, Any]) -> Any:
            return row["reason"] if pg else (row["reason"] or "")

        if operation == "INSERT":
            payload = {
                "cadet_id": entry["cadet_id"],
                "type": entry["type"],
                "points": entry["points"],
                "reason": reason(entry),
                "issued_by_name": entry["issued_by_name"] if pg else entry["issued_by_name"] or "",
            }
            sync_type = f"{entry['type']}_added"
            sync = {"log_id": entry["id"], "points": entry["points"], "reason": reason(entry)}
        elif operation == "UPDATE":
            assert before is not None
            keys = ("points", "type", "reason") if pg else ("type", "points", "reason")
            payload = {
                "before": {k: before[k] if k != "reason" else reason(before) for k in keys},
                "after": {k: entry[k] if k != "reason" else reason(entry) for k in keys},
            }
            sync_type, sync = "ledger_updated", {"log_id": entry["id"]}
        else:
            payload = {
                "cadet_id": entry["cadet_id"],
                "type": entry["type"],
                "points": entry["points"],
                "reason": reason(entry),
            }
            sync_type = f"{entry['type']}_deleted"
            sync = {"log_id": entry["id"], "points": entry["points"]}
            if pg:
                sync["reason"] = entry["reason"]
        audit_rows = self.rows["audit_logs"]
        audit_rows.append(
            {
                "id": len(audit_rows) + 1,
                "table_name": "merit_demerit_logs",
                "operation": operation,
                "record_id": entry["id"],
                "user_id": entry["issued_by_user_id"],
                "payload": payload,
                "created_at": when,
            }
        )
        sync_rows = self.rows["sync_events"]
        processed = self.pick(0.9)
        sync_rows.append(
            {
                "id": len(sync_rows) + 1,
                "event_type": sync_type,
                "cadet_id": entry["cadet_id"],
                "payload": sync,
                "created_at": when,
                "processed": processed,
                "processed_at": when + timedelta(seconds=self.rng.randrange(5, 900))
                if processed
                else None,
            }
        )

    def grades(
        self,
        attended: dict[int, int],
        merits: dict[int, int],
        demerits: dict[int, int],
        lifetime: dict[int, int],
    ) -> None:
        rng = self.rng
        for cadet in self.rows["cadets"]:
            cid = cadet["id"]
            self.rows["grades"].append(
                {
                    "id": cid,
                    "cadet_id": cid,
                    "attendance_present": attended[cid],
                    "merit_points": merits[cid],
                    "demerit_points": demerits[cid],
                    "prelim_score": rng.randrange(60, 101),
                    "midterm_score": rng.randrange(60, 101),
                    "final_score": rng.randrange(55, 101),
                    "status": rng.choices(("active", "INC", "DO", "T", "inc"), (94, 3, 1, 1, 1))[0],
                    "lifetime_merit_points": lifetime[cid],
                }
            )

    def excuses(self) -> None:
        rng = self.rng
        ident = 0
        for cadet in self.rows["cadets"]:
            if not self.pick(0.05):
                continue
            ident += 1
            day_id, day, _title = rng.choice(self.days)
            self.rows["excuse_letters"].append(
                {
                    "id": ident,
                    "cadet_id": cadet["id"],
                    "training_day_id": day_id,
                    "date_absent": day,
                    "reason": rng.choice(("Sick (fever)", "Family emergency", "Board exam review")),
                    "file_url": f"https://res.cloudinary.com/rgms/excuse/{ident}.pdf"
                    if self.pick(0.6)
                    else None,
                    "status": rng.choice(("pending", "approved", "rejected")),
                    "created_at": datetime.combine(day, datetime.min.time()) + timedelta(hours=20),
                }
            )

    def notifications(self) -> None:
        rng = self.rng
        user_of_cadet = {u["cadet_id"]: u["id"] for u in self.rows["users"] if u["cadet_id"]}
        days = {day_id: (day, title) for day_id, day, title in self.days}
        pending: list[dict[str, Any]] = []
        for record in self.rows["attendance_records"]:
            day, title = days[record["training_day_id"]]
            pending.append(
                {
                    "user_id": user_of_cadet[record["cadet_id"]],
                    "message": f"Your attendance for {title} ({day.isoformat()}) was marked "
                    f"{record['status']}.",
                    "type": "attendance",
                    "is_read": self.pick(0.5),
                    "created_at": self.moment(day, 7, 12),
                }
            )
        for cadet in self.rows["cadets"]:
            pending.append(
                {
                    "user_id": user_of_cadet[cadet["id"]],
                    "message": "Your grades have been updated.",
                    "type": "grade",
                    "is_read": self.pick(0.3),
                    "created_at": self.moment(self.days[-1][1], 13, 18),
                }
            )
        for _ in range(max(5, len(self.rows["cadets"]) // 3)):
            user = rng.choice(self.rows["users"])
            pending.append(
                {
                    "user_id": None,
                    "message": f"{user['username']} logged in",
                    "type": "login",
                    "is_read": False,
                    "created_at": self.moment(rng.choice(self.days)[1]),
                }
            )
        pending.sort(key=lambda n: n["created_at"])
        for ident, row in enumerate(pending, start=1):
            row["id"] = ident
        self.rows["notifications"] = pending

    def small_tables(self) -> None:
        rng = self.rng
        for i in range(1, 13):
            day = SEMESTER_START + timedelta(days=5 * i)
            images = [
                f"https://res.cloudinary.com/rgms/activities/{i}-{n}.jpg" for n in range(1, 4)
            ]
            count = rng.randrange(0, 4)
            self.rows["activities"].append(
                {
                    "id": i,
                    "title": f"{rng.choice(('Parade', 'Seminar', 'Clean-up drive'))} #{i}",
                    "description": "Attendance is mandatory for all cadets.",
                    "date": day,
                    "image_path": images[0] if count else None,
                    "images": images[:count] if count else None,
                    "type": "announcement" if i % 4 == 0 else "activity",
                }
            )
            if count:
                self.rows["activity_images"].append(
                    {
                        "id": len(self.rows["activity_images"]) + 1,
                        "activity_id": i,
                        "image_path": images[0],
                        "created_at": datetime.combine(day, datetime.min.time()),
                    }
                )
        for i, (key, value) in enumerate(SYSTEM_SETTINGS, start=1):
            self.rows["system_settings"].append({"id": i, "key": key, "value": value})
        users = self.rows["users"]
        for user in users:
            if self.pick(0.1):
                self.rows["user_settings"].append(
                    {
                        "user_id": user["id"],
                        "email_alerts": self.pick(0.8),
                        "push_notifications": self.pick(0.7),
                        "activity_updates": self.pick(0.9),
                        "dark_mode": self.pick(0.3),
                        "compact_mode": self.pick(0.1),
                        "primary_color": rng.choice(("blue", "default", "green")),
                        "custom_bg": "https://res.cloudinary.com/rgms/bg/1.jpg"
                        if self.pick(0.2)
                        else None,
                    }
                )
        staff = self.rows["training_staff"]
        for i in range(1, 3 * len(staff) + 1):
            self.rows["staff_messages"].append(
                {
                    "id": i,
                    "sender_staff_id": rng.choice(staff)["id"],
                    "content": rng.choice(
                        (
                            "Formation at 0700 sharp.",
                            "Please submit the attendance sheets.",
                            "Noted, sir.",
                        )
                    ),
                    "created_at": self.moment(rng.choice(self.days)[1]),
                }
            )
        cadet_users = [u for u in users if u["role"] == "cadet"]
        messages = []
        for user in rng.sample(cadet_users, max(1, len(cadet_users) // 20)):
            resolved = self.pick(0.5)
            messages.append(
                {
                    "user_id": user["id"],
                    "sender_role": "cadet",
                    "subject": "Grade inquiry",
                    "message": "Good day sir, may I ask about my merit points?",
                    "status": "resolved" if resolved else "pending",
                    "admin_reply": "Your points are updated." if resolved else None,
                    "created_at": self.moment(rng.choice(self.days)[1]),
                }
            )
        for n in range(3):
            messages.append(
                {
                    "user_id": None,
                    "sender_role": "admin",
                    "subject": f"Announcement {n + 1}",
                    "message": "No training next Saturday.",
                    "status": "broadcast",
                    "admin_reply": None,
                    "created_at": self.moment(self.days[n][1]),
                }
            )
        messages.sort(key=lambda m: m["created_at"])
        for ident, row in enumerate(messages, start=1):
            row["id"] = ident
        self.rows["admin_messages"] = messages
        subscribers = rng.sample(users, max(1, len(users) // 20))
        for i, user in enumerate(subscribers, start=1):
            self.rows["push_subscriptions"].append(
                {
                    "id": i,
                    "user_id": user["id"],
                    "endpoint": f"https://fcm.googleapis.com/fcm/send/{rng.randrange(16**16):016x}{i}",
                    "keys": {"p256dh": f"BN{rng.randrange(16**20):020x}", "auth": f"{i:08x}"},
                    "created_at": self.moment(rng.choice(self.days)[1]),
                }
            )
        if self.cfg.quirks:
            # No foreign key: subscriptions of since-deleted users stay behind.
            for offset in (1, 2):
                ident = len(self.rows["push_subscriptions"]) + 1
                self.rows["push_subscriptions"].append(
                    {
                        "id": ident,
                        "user_id": len(users) + 100 * offset,
                        "endpoint": f"https://fcm.googleapis.com/fcm/send/orphan-{offset}",
                        "keys": {"p256dh": "BNorphan", "auth": "orphan"},
                        "created_at": datetime(2024, 7, offset),
                    }
                )
                self.quirks["orphan_push_subscriptions"] += 1

    def build(self) -> _Generated:
        self.training_days()
        self.cadets()
        self.staff()
        credentials, placeholders, invalid = self.users()
        attended = self.attendance()
        merits, demerits, lifetime = self.ledger()
        self.grades(attended, merits, demerits, lifetime)
        self.excuses()
        self.notifications()
        self.small_tables()
        return _Generated(dict(self.rows), credentials, placeholders, invalid, dict(self.quirks))


# ----------------------------------------------------------------------------- physical values


def _iso_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _sqlite_timestamp(value: Any) -> Any:
    return value.isoformat(" ", "seconds") if isinstance(value, datetime) else value


def _pg_json(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sqlite_json(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _converter(col: Column, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a logical value is stored by the legacy dialect (None: as is)."""
    kind = col.kind
    if dialect is Dialect.POSTGRESQL:
        if kind is Kind.BOOLEAN and col.pg_type != "BOOLEAN":
            return int
        if kind is Kind.DATE and col.pg_type != "DATE":
            return _iso_date
        if kind is Kind.JSON:
            return _pg_json
        return None
    if kind is Kind.BOOLEAN:
        return int
    if kind is Kind.TIMESTAMP:
        return _sqlite_timestamp
    if kind is Kind.DATE:
        return _iso_date
    if kind is Kind.JSON:
        return _sqlite_json
    return None


def physical_rows(
    columns: Sequence[Column], dialect: Dialect, rows: Iterable[dict[str, Any]]
) -> Iterator[tuple[Any, ...]]:
    """Logical rows as the legacy dialect stores them, projected onto `columns`."""
    getter = itemgetter(*(c.name for c in columns))
    single = len(columns) == 1
    converters = [(i, fn) for i, c in enumerate(columns) if (fn := _converter(c, dialect))]
    for row in rows:
        picked = getter(row)
        values = [picked] if single else list(picked)
        for i, fn in converters:
            if values[i] is not None:
                values[i] = fn(values[i])
        yield tuple(values)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)  # type: ignore[no-any-return]
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is datetime:
        return value.isoformat(" ")  # type: ignore[no-any-return]
    if kind is date:
        return value.isoformat()  # type: ignore[no-any-return]
    raise TypeError(f"no COPY text form for {kind.__name__}")


def _copy_text(rows: Iterable[tuple[Any, ...]], batch: int = 5000) -> Iterator[str]:
    """PostgreSQL COPY text format, a batch of lines at a time."""
    lines: list[str] = []
    for values in rows:
        lines.append("\t".join(map(_copy_field, values)))
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- writers


def _seed_postgres(
    location: SourceLocation, config: SeedConfig, data: _Generated
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with connect_postgres(location.url) as conn:
        existing = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        }
        clash = sorted(existing & (set(TABLES_BY_NAME) | {"staff_audit"}))
        if clash:
            raise ConfigError(
                f"{location.display} already has legacy tables ({', '.join(clash)}); "
                "seed into an empty database"
            )
        tables = present_tables(Dialect.POSTGRESQL, config)
        # The rows are consistent by construction: skip the per-row foreign-key triggers while
        # loading when the role may (a superuser), then check every declared foreign key once.
        conn.commit()
        try:
            conn.execute("SET session_replication_role = replica")
            fast_load = True
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
            fast_load = False
        with conn.cursor() as cur:
            for table in tables:
                cur.execute(create_table_sql(table, Dialect.POSTGRESQL, config))  # type: ignore[arg-type]
            for table in tables:
                columns = present_columns(table, Dialect.POSTGRESQL, config)
                rows = data.rows.get(table.name, [])
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table.name),
                    sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
                )
                with cur.copy(copy_sql) as copy:
                    for chunk in _copy_text(physical_rows(columns, Dialect.POSTGRESQL, rows)):
                        copy.write(chunk)
                counts[table.name] = len(rows)
                if table.primary_key == "id":
                    cur.execute(
                        sql.SQL(
                            "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                            "COALESCE((SELECT max(id) FROM {}), 1), "
                            "(SELECT max(id) FROM {}) IS NOT NULL)"
                        ).format(
                            sql.Literal(table.name),
                            sql.Identifier(table.name),
                            sql.Identifier(table.name),
                        )
                    )
            if fast_load:
                cur.execute("SET session_replication_role = DEFAULT")
                _check_foreign_keys(cur, tables, config)
            if config.indexes:
                _create_indexes(cur, tables, Dialect.POSTGRESQL, config)
            if config.triggers:
                cur.execute(_PG_AUDIT_TRIGGER)  # type: ignore[arg-type]
        conn.commit()
    return counts


def _check_foreign_keys(cur: Any, tables: Sequence[Table], config: SeedConfig) -> None:
    """Every declared foreign key of the seeded tables holds (run when the per-row checks were
    skipped during the load)."""
    cfg = config.resolved(Dialect.POSTGRESQL)
    for table in tables:
        if table.name == "excuse_letters" and cfg.excuse_form == "reduced":
            continue  # the reduced form declares no foreign keys
        for col in present_columns(table, Dialect.POSTGRESQL, config):
            ref = col.references
            if ref is None or Dialect.POSTGRESQL not in ref.enforced_in:
                continue
            query = sql.SQL(
                "SELECT count(*) FROM {child} c WHERE c.{fk} IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM {parent} p WHERE p.{key} = c.{fk})"
            ).format(
                child=sql.Identifier(table.name),
                fk=sql.Identifier(col.name),
                parent=sql.Identifier(ref.table),
                key=sql.Identifier(ref.column),
            )
            orphans = cur.execute(query).fetchone()[0]
            if orphans:
                raise AssertionError(f"seed bug: {orphans} orphan {table.name}.{col.name} rows")


def _create_indexes(
    cur: Any, tables: Sequence[Table], dialect: Dialect, config: SeedConfig
) -> None:
    present = {t.name: {c.name for c in present_columns(t, dialect, config)} for t in tables}
    for index in LEGACY_INDEXES:
        if dialect not in index.dialects or index.table not in present:
            continue
        if not set(index.columns) <= present[index.table]:
            continue  # the legacy statement fails (excuse_letters.training_day_id when reduced)
        cur.execute(
            f"CREATE INDEX IF NOT EXISTS {index.name} ON {index.table} ({', '.join(index.columns)})"
        )


def _seed_sqlite(
    location: SourceLocation, config: SeedConfig, data: _Generated, overwrite: bool
) -> dict[str, int]:
    path = location.sqlite_path
    assert path is not None
    if path.exists():
        if not overwrite:
            raise ConfigError(f"{path} already exists; seed into a new file")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        tables = present_tables(Dialect.SQLITE, config)
        for table in tables:
            conn.execute(create_table_sql(table, Dialect.SQLITE, config))
        for table in tables:
            columns = present_columns(table, Dialect.SQLITE, config)
            rows = data.rows.get(table.name, [])
            names = ", ".join(f'"{c.name}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608 (declared names)
                physical_rows(columns, Dialect.SQLITE, rows),
            )
            counts[table.name] = len(rows)
        if config.indexes:
            _create_indexes(conn, tables, Dialect.SQLITE, config)
        if config.triggers:
            for statement in _SQLITE_AUDIT_TRIGGERS.split("END;"):
                if statement.strip():
                    conn.execute(statement + "END;")
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        path.unlink(missing_ok=True)
        raise
    conn.close()
    return counts


def generate(dialect: Dialect, config: SeedConfig = SeedConfig()) -> _Generated:
    """The logical rows (not written anywhere): for tests that need the data itself."""
    return _Generator(dialect, config).build()


def seed_legacy_database(
    url: str, config: SeedConfig = SeedConfig(), *, overwrite: bool = False
) -> SeedResult:
    """Create the legacy tables in an empty PostgreSQL database (or a new SQLite file) and fill
    them. ConfigError if the target already has legacy tables (or the file exists and
    `overwrite` is false)."""
    started = clock.perf_counter()
    location = parse_source_url(url)
    data = generate(location.dialect, config)
    if location.dialect is Dialect.POSTGRESQL:
        counts = _seed_postgres(location, config, data)
    else:
        counts = _seed_sqlite(location, config, data, overwrite)
    return SeedResult(
        source=location.display,
        dialect=location.dialect,
        config=config,
        counts=counts,
        credentials=data.credentials,
        placeholder_users=data.placeholder_users,
        invalid_hash_users=data.invalid_hash_users,
        quirks=data.quirks,
        seconds=clock.perf_counter() - started,
    )
