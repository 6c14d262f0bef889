"""The legacy database, declared once: the single source of truth of the cutover toolkit.

Everything that needs to know the legacy schema derives from this module: the export order,
the import mapping, the verify comparisons, the synthetic legacy databases of the rehearsal and
the Hypothesis strategies. It declares, per table of the Node.js backend (see
`shared/spec/legacy-schema.md`):

* every column with its legacy type on PostgreSQL and on SQLite, nullability, SQL default,
  primary key and uniqueness;
* foreign keys with their ON DELETE semantics, and in which dialect the legacy DDL actually
  declares them (`Reference.enforced_in`);
* in which dialect a column or table normally exists, and why it may be absent
  (`expected_in` / `absent_reason`): cadets.religion is missing on PostgreSQL, user_settings
  .custom_bg and activity_images exist only there, lifetime_merit_points is normally missing on
  SQLite, training_staff.qr_code_data is added on demand by a route;
* the conversion rule that applies to each column (`Kind`, implemented in `cutover.conversions`);
* the Django model field each column lands in (`Table.target`): field names equal the legacy
  column names, except that foreign keys drop the `_id` suffix (the database column keeps it)
  and user_settings.user_id, its primary key, becomes the one-to-one field `user`;
* the dependency order of the tables, computed from the foreign-key edges.

Tables that are deliberately not migrated are listed in `NOT_MIGRATED` with the reason. The
legacy DDL is not copied here: it is broken in places (a fresh PostgreSQL init fails on the
users -> training_staff reference); the declarations are the documented shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Dialect(StrEnum):
    """The two database engines the legacy backend ran on."""

    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


BOTH: frozenset[Dialect] = frozenset(Dialect)
PG_ONLY: frozenset[Dialect] = frozenset({Dialect.POSTGRESQL})
SQLITE_ONLY: frozenset[Dialect] = frozenset({Dialect.SQLITE})
NEITHER: frozenset[Dialect] = frozenset()


class Kind(StrEnum):
    """What a legacy value means, which selects its conversion rule (`cutover.conversions`)."""

    INTEGER = "integer"  # to_int: exact integers, 32-bit range
    FLOAT = "float"  # to_float: finite numbers
    TEXT = "text"  # to_text: text kept verbatim (NUL and invalid UTF-8 rejected)
    BOOLEAN = "boolean"  # to_bool: PG BOOLEAN, SQLite/PG INTEGER 0/1, 'true'/'false'/'t'/'f'
    TIMESTAMP = "timestamp"  # to_timestamp: naive legacy time -> aware UTC
    DATE = "date"  # to_date: PG DATE or text dates in the documented formats
    TIME_TEXT = "time_text"  # to_time_text: free text such as '7:05:12 AM', kept verbatim
    JSON = "json"  # to_json: PG JSONB or JSON held as text
    PASSWORD = "password"  # noqa: S105 (a kind name) convert_password: bcrypt or unusable

    @property
    def django_field(self) -> str:
        """The Django field class a column of this kind is expected to land in."""
        return _DJANGO_FIELD[self]


_DJANGO_FIELD: Mapping[Kind, str] = MappingProxyType(
    {
        Kind.INTEGER: "IntegerField",
        Kind.FLOAT: "FloatField",
        Kind.TEXT: "TextField",
        Kind.BOOLEAN: "BooleanField",
        Kind.TIMESTAMP: "DateTimeField",
        Kind.DATE: "DateField",
        Kind.TIME_TEXT: "TextField",
        Kind.JSON: "JSONField",
        Kind.PASSWORD: "CharField (AbstractBaseUser.password)",
    }
)


class OnDelete(StrEnum):
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"


@dataclass(frozen=True, slots=True)
class Reference:
    """A foreign key: the referenced table and what deleting the parent does."""

    table: str
    on_delete: OnDelete
    column: str = "id"
    # Where the legacy DDL declares the constraint; elsewhere orphans are possible.
    enforced_in: frozenset[Dialect] = BOTH


@dataclass(frozen=True, slots=True)
class ModelRef:
    app_label: str
    model: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model}"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a legacy column lands: app label, model name and field name."""

    app_label: str
    model: str
    field: str

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model}.{self.field}"


@dataclass(frozen=True, slots=True)
class Column:
    """One legacy column as the legacy backend declared it."""

    name: str
    kind: Kind
    pg_type: str
    sqlite_type: str
    field: str
    nullable: bool = True
    pg_default: str | None = None
    sqlite_default: str | None = None
    primary_key: bool = False
    unique: bool = False
    references: Reference | None = None
    expected_in: frozenset[Dialect] = BOTH
    absent_reason: str = ""
    note: str = ""

    def type_for(self, dialect: Dialect) -> str:
        return self.pg_type if dialect is Dialect.POSTGRESQL else self.sqlite_type

    def default_for(self, dialect: Dialect) -> str | None:
        return self.pg_default if dialect is Dialect.POSTGRESQL else self.sqlite_default

    def is_expected_in(self, dialect: Dialect) -> bool:
        return dialect in self.expected_in

    @property
    def flag_default(self) -> bool | None:
        """The legacy default of a boolean flag column (None if not a flag with a default)."""
        if self.kind is not Kind.BOOLEAN or self.sqlite_default not in {"0", "1"}:
            return None
        return self.sqlite_default == "1"


@dataclass(frozen=True, slots=True)
class ReducedForm:
    """A second, smaller shape a legacy table can have (excuse_letters)."""

    description: str
    columns: tuple[str, ...]
    pg_types: Mapping[str, str] = field(default_factory=dict)
    sqlite_types: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Table:
    """One legacy table."""

    name: str
    model: ModelRef
    columns: tuple[Column, ...]
    primary_key: str = "id"
    unique_together: tuple[tuple[str, ...], ...] = ()
    checks: tuple[str, ...] = ()
    expected_in: frozenset[Dialect] = BOTH
    absent_reason: str = ""
    reduced_form: ReducedForm | None = None
    note: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate column declarations")
        if self.primary_key not in names:
            raise ValueError(f"{self.name}: primary key {self.primary_key} is not a column")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no legacy column {name!r}")

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.references is not None)

    @property
    def depends_on(self) -> frozenset[str]:
        """Tables this one references (self-references excluded)."""
        return frozenset(
            c.references.table
            for c in self.columns
            if c.references is not None and c.references.table != self.name
        )

    def target(self, column: str) -> Target:
        col = self.column(column)
        return Target(self.model.app_label, self.model.model, col.field)

    def is_expected_in(self, dialect: Dialect) -> bool:
        return dialect in self.expected_in


@dataclass(frozen=True, slots=True)
class NotMigratedTable:
    name: str
    reason: str


# --------------------------------------------------------------------------------------------
# Column helpers: they encode the notation of legacy-schema.md ("bool" = PG BOOLEAN / SQLite
# INTEGER 0/1, "ts" = PG TIMESTAMP / SQLite TEXT, default CURRENT_TIMESTAMP).
# --------------------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _id() -> Column:
    return Column(
        "id", Kind.INTEGER, "SERIAL", "INTEGER", field="id", nullable=False, primary_key=True
    )


def _text(
    name: str,
    *,
    nullable: bool = True,
    default: str | None = None,
    unique: bool = False,
    expected_in: frozenset[Dialect] = BOTH,
    absent_reason: str = "",
    pg_type: str = "TEXT",
    sqlite_type: str = "TEXT",
    note: str = "",
) -> Column:
    sql_default = None if default is None else _quoted(default)
    return Column(
        name,
        Kind.TEXT,
        pg_type,
        sqlite_type,
        field=name,
        nullable=nullable,
        pg_default=sql_default,
        sqlite_default=sql_default,
        unique=unique,
        expected_in=expected_in,
        absent_reason=absent_reason,
        note=note,
    )


def _int(
    name: str,
    *,
    nullable: bool = True,
    default: int | None = None,
    expected_in: frozenset[Dialect] = BOTH,
    absent_reason: str = "",
    note: str = "",
) -> Column:
    sql_default = None if default is None else str(default)
    return Column(
        name,
        Kind.INTEGER,
        "INTEGER",
        "INTEGER",
        field=name,
        nullable=nullable,
        pg_default=sql_default,
        sqlite_default=sql_default,
        expected_in=expected_in,
        absent_reason=absent_reason,
        note=note,
    )


def _float(name: str) -> Column:
    return Column(name, Kind.FLOAT, "DOUBLE PRECISION", "REAL", field=name)


def _bool(
    name: str,
    default: bool,
    *,
    pg_type: str = "BOOLEAN",
    note: str = "",
) -> Column:
    pg_default = ("TRUE" if default else "FALSE") if pg_type == "BOOLEAN" else str(int(default))
    return Column(
        name,
        Kind.BOOLEAN,
        pg_type,
        "INTEGER",
        field=name,
        pg_default=pg_default,
        sqlite_default=str(int(default)),
        note=note,
    )


def _ts(name: str, *, default_now: bool = True) -> Column:
    default = "CURRENT_TIMESTAMP" if default_now else None
    return Column(
        name,
        Kind.TIMESTAMP,
        "TIMESTAMP",
        "TEXT",
        field=name,
        pg_default=default,
        sqlite_default=default,
        note="naive; SQLite CURRENT_TIMESTAMP text is 'YYYY-MM-DD HH:MM:SS' in UTC",
    )


def _date(name: str, *, pg_type: str, nullable: bool = True, note: str = "") -> Column:
    return Column(name, Kind.DATE, pg_type, "TEXT", field=name, nullable=nullable, note=note)


def _time_text(name: str) -> Column:
    return Column(
        name,
        Kind.TIME_TEXT,
        "TEXT",
        "TEXT",
        field=name,
        note="free text such as '7:05:12 AM'; migrated verbatim",
    )


def _json(name: str, *, pg_type: str, nullable: bool = True, note: str = "") -> Column:
    return Column(name, Kind.JSON, pg_type, "TEXT", field=name, nullable=nullable, note=note)


def _fk(
    name: str,
    table: str,
    on_delete: OnDelete,
    *,
    nullable: bool = True,
    unique: bool = False,
    primary_key: bool = False,
    enforced_in: frozenset[Dialect] = BOTH,
    expected_in: frozenset[Dialect] = BOTH,
    absent_reason: str = "",
    field_name: str | None = None,
    note: str = "",
) -> Column:
    if field_name is None:
        if not name.endswith("_id"):
            raise ValueError(f"foreign key column {name} does not end in _id")
        field_name = name.removesuffix("_id")
    return Column(
        name,
        Kind.INTEGER,
        "INTEGER",
        "INTEGER",
        field=field_name,
        nullable=nullable,
        unique=unique,
        primary_key=primary_key,
        references=Reference(table, on_delete, enforced_in=enforced_in),
        expected_in=expected_in,
        absent_reason=absent_reason,
        note=note,
    )


def _person_names() -> tuple[Column, ...]:
    return (
        _text("rank"),
        _text("first_name", nullable=False),
        _text("middle_name"),
        _text("last_name", nullable=False),
        _text("suffix_name"),
    )


_ATTENDANCE_STATUS_CHECK = "status IN ('present', 'absent', 'late', 'excused')"

# --------------------------------------------------------------------------------------------
# The 19 legacy tables, in the order legacy-schema.md lists them.
# --------------------------------------------------------------------------------------------

CADETS = Table(
    "cadets",
    ModelRef("cadets", "Cadet"),
    (
        _id(),
        *_person_names(),
        _text("email", note="not unique in the legacy schema"),
        _text("contact_number"),
        _text("address"),
        _text("course"),
        _text("year_level"),
        _text("school_year"),
        _text("battalion"),
        _text("company"),
        _text("platoon"),
        _text("cadet_course"),
        _text("semester"),
        _text("corp_position"),
        _text("gender"),
        _text("status", default="Ongoing", note="values seen: Ongoing, Verified, Completed"),
        _text("student_id", nullable=False, unique=True),
        _text("profile_pic"),
        _bool("is_profile_completed", False),
        _bool("is_archived", False),
        _bool("has_seen_guide", False),
        _ts("created_at"),
        _date("birthdate", pg_type="DATE", note="PG DATE (migration), SQLite TEXT"),
        _text(
            "religion",
            expected_in=SQLITE_ONLY,
            absent_reason=(
                "the add_religion_to_cadets migration fails on PostgreSQL, so the column "
                "is missing there"
            ),
        ),
    ),
)

USERS = Table(
    "users",
    ModelRef("users", "User"),
    (
        _id(),
        _text("username", nullable=False, unique=True),
        Column(
            "password",
            Kind.PASSWORD,
            "TEXT",
            "TEXT",
            field="password",
            nullable=False,
            note="bcryptjs $2a$ cost 10, or the $2a$10$DUMMY... placeholder of imported cadets",
        ),
        _text("role", nullable=False),
        _fk("cadet_id", "cadets", OnDelete.CASCADE),
        _fk("staff_id", "training_staff", OnDelete.CASCADE),
        Column(
            "is_approved",
            Kind.BOOLEAN,
            "INTEGER",
            "INTEGER",
            field="is_approved",
            pg_default="0",
            sqlite_default="0",
            note="INTEGER 0/1 in both dialects (1 = approved)",
        ),
        _text("email", note="not unique in the legacy schema"),
        _text("profile_pic"),
        _text("gender"),
        _bool("is_archived", False),
        _float("last_latitude"),
        _float("last_longitude"),
        _ts("last_location_at", default_now=False),
        _ts("last_seen", default_now=False),
        _ts("created_at"),
    ),
    checks=("role IN ('admin', 'cadet', 'training_staff')",),
)

GRADES = Table(
    "grades",
    ModelRef("grading", "Grade"),
    (
        _id(),
        _fk("cadet_id", "cadets", OnDelete.CASCADE, nullable=False, unique=True),
        _int("attendance_present", default=0),
        _int("merit_points", default=0),
        _int("demerit_points", default=0),
        _int("prelim_score", default=0),
        _int("midterm_score", default=0),
        _int("final_score", default=0),
        _text("status", default="active", note="also INC, DO, T (any case)"),
        _int(
            "lifetime_merit_points",
            default=0,
            expected_in=PG_ONLY,
            absent_reason=(
                "added by the add_lifetime_merit_points migration, which the SQLite path never "
                "runs (only reachable through POST /api/admin/force-optimize-db)"
            ),
        ),
    ),
)

TRAINING_DAYS = Table(
    "training_days",
    ModelRef("attendance", "TrainingDay"),
    (
        _id(),
        Column(
            "date",
            Kind.DATE,
            "TEXT",
            "TEXT",
            field="date",
            nullable=False,
            note="TEXT 'YYYY-MM-DD' in both dialects; not unique",
        ),
        _text("title", nullable=False),
        _text("description"),
    ),
)

ATTENDANCE_RECORDS = Table(
    "attendance_records",
    ModelRef("attendance", "AttendanceRecord"),
    (
        _id(),
        _fk("training_day_id", "training_days", OnDelete.CASCADE, nullable=False),
        _fk("cadet_id", "cadets", OnDelete.CASCADE, nullable=False),
        _text("status", nullable=False),
        _text("remarks"),
        _time_text("time_in"),
        _time_text("time_out"),
    ),
    unique_together=(("training_day_id", "cadet_id"),),
    checks=(_ATTENDANCE_STATUS_CHECK,),
)

STAFF_ATTENDANCE_RECORDS = Table(
    "staff_attendance_records",
    ModelRef("attendance", "StaffAttendanceRecord"),
    (
        _id(),
        _fk("training_day_id", "training_days", OnDelete.CASCADE, nullable=False),
        _fk("staff_id", "training_staff", OnDelete.CASCADE, nullable=False),
        _text("status", nullable=False),
        _text("remarks"),
        _time_text("time_in"),
        _time_text("time_out"),
    ),
    unique_together=(("training_day_id", "staff_id"),),
    checks=(_ATTENDANCE_STATUS_CHECK,),
)

MERIT_DEMERIT_LOGS = Table(
    "merit_demerit_logs",
    ModelRef("grading", "MeritDemeritLog"),
    (
        _id(),
        _fk("cadet_id", "cadets", OnDelete.CASCADE),
        _text("type", nullable=False),
        _int("points", nullable=False, note="can be negative: admin adjustments store differences"),
        _text("reason"),
        _ts("date_recorded"),
        _fk(
            "issued_by_user_id",
            "users",
            OnDelete.SET_NULL,
            enforced_in=PG_ONLY,
            note="no foreign key on SQLite, so orphans are possible there",
        ),
        _text("issued_by_name"),
    ),
    checks=("type IN ('merit', 'demerit')",),
    note="AFTER INSERT/UPDATE/DELETE trigger writes audit_logs + sync_events",
)

TRAINING_STAFF = Table(
    "training_staff",
    ModelRef("staff", "Staff"),
    (
        _id(),
        *_person_names(),
        _text("email", unique=True),
        _text("contact_number"),
        _text(
            "role",
            default="Instructor",
            note="privileged: Commandant, Assistant Commandant, NSTP Director, "
            "ROTC Coordinator, Admin NCO",
        ),
        _text("profile_pic"),
        _text("afpsn"),
        Column(
            "birthdate",
            Kind.DATE,
            "TEXT",
            "TEXT",
            field="birthdate",
            note="TEXT in both dialects",
        ),
        _text("birthplace"),
        _int("age"),
        _text("height"),
        _text("weight"),
        _text("blood_type"),
        _text("address"),
        _text("civil_status"),
        _text("nationality"),
        _text("gender"),
        _text("language_spoken"),
        _text("combat_boots_size"),
        _text("uniform_size"),
        _text("bullcap_size"),
        _text("facebook_link"),
        _text("rotc_unit"),
        _text("mobilization_center"),
        _bool(
            "is_profile_completed",
            False,
            note="BOOLEAN on PG although a migration lists it as INTEGER DEFAULT 0",
        ),
        _bool("has_seen_guide", False),
        _ts("created_at"),
        _bool("is_archived", False),
        _text(
            "qr_code_data",
            expected_in=NEITHER,
            absent_reason="added on demand by POST /api/staff/qr-code the first time it runs",
        ),
    ),
)

EXCUSE_LETTERS = Table(
    "excuse_letters",
    ModelRef("attendance", "ExcuseLetter"),
    (
        _id(),
        _fk("cadet_id", "cadets", OnDelete.CASCADE),
        _fk(
            "training_day_id",
            "training_days",
            OnDelete.CASCADE,
            expected_in=NEITHER,
            absent_reason="absent from the reduced form that the excuse route creates first",
        ),
        _date("date_absent", pg_type="DATE", nullable=False, note="nullable in the reduced form"),
        _text("reason"),
        _text("file_url"),
        _text("status", default="pending", note="pending / approved / rejected"),
        _ts("created_at"),
    ),
    reduced_form=ReducedForm(
        description=(
            "created first by the excuse route on a fresh database, and then the one that "
            "exists: no training_day_id, no NOT NULL, no foreign keys, status VARCHAR(20)"
        ),
        columns=("id", "cadet_id", "date_absent", "reason", "file_url", "status", "created_at"),
        pg_types={"status": "VARCHAR(20)"},
    ),
)

NOTIFICATIONS = Table(
    "notifications",
    ModelRef("notifications", "Notification"),
    (
        _id(),
        _fk(
            "user_id",
            "users",
            OnDelete.SET_NULL,
            note="NULL = global/admin; deleting a user turns their notifications global",
        ),
        _text("message", nullable=False),
        _text("type", nullable=False),
        _bool("is_read", False),
        _ts("created_at"),
    ),
)

ACTIVITIES = Table(
    "activities",
    ModelRef("activities", "Activity"),
    (
        _id(),
        _text("title", nullable=False),
        _text("description"),
        Column("date", Kind.DATE, "TEXT", "TEXT", field="date", note="TEXT in both dialects"),
        _text("image_path", note="the first image"),
        _json("images", pg_type="TEXT", note="a JSON array of URLs held as text"),
        _text(
            "type",
            note="'activity' / 'announcement'; the intended default is not applied",
        ),
    ),
)

ACTIVITY_IMAGES = Table(
    "activity_images",
    ModelRef("activities", "ActivityImage"),
    (
        _id(),
        _fk("activity_id", "activities", OnDelete.CASCADE),
        _text("image_path", nullable=False),
        _ts("created_at"),
    ),
    expected_in=PG_ONLY,
    absent_reason="created only by the PostgreSQL init (back-filled from activities.image_path)",
)

SYSTEM_SETTINGS = Table(
    "system_settings",
    ModelRef("preferences", "SystemSetting"),
    (_id(), _text("key", nullable=False, unique=True), _text("value")),
)

USER_SETTINGS = Table(
    "user_settings",
    ModelRef("preferences", "UserSettings"),
    (
        _fk(
            "user_id",
            "users",
            OnDelete.CASCADE,
            nullable=False,
            primary_key=True,
            note="the primary key; the table has no id column",
        ),
        _bool("email_alerts", True),
        _bool("push_notifications", True),
        _bool("activity_updates", True),
        _bool("dark_mode", False),
        _bool("compact_mode", False),
        _text("primary_color", default="blue", note="the API writes 'default'"),
        _text(
            "custom_bg",
            expected_in=PG_ONLY,
            absent_reason="added by a PostgreSQL-only ALTER; the SQLite table never has it",
        ),
    ),
    primary_key="user_id",
)

STAFF_MESSAGES = Table(
    "staff_messages",
    ModelRef("messaging", "StaffMessage"),
    (
        _id(),
        _fk("sender_staff_id", "training_staff", OnDelete.CASCADE, nullable=False),
        _text("content", nullable=False),
        _ts("created_at"),
    ),
)

ADMIN_MESSAGES = Table(
    "admin_messages",
    ModelRef("messaging", "AdminMessage"),
    (
        _id(),
        _fk("user_id", "users", OnDelete.CASCADE, note="NULL = broadcast"),
        _text("sender_role"),
        _text("subject"),
        _text("message"),
        _text("status", default="pending", note="pending / resolved / broadcast"),
        _text("admin_reply"),
        _ts("created_at"),
    ),
)

PUSH_SUBSCRIPTIONS = Table(
    "push_subscriptions",
    ModelRef("notifications", "PushSubscription"),
    (
        _id(),
        _int(
            "user_id",
            note="no foreign key in either dialect; may name deleted users; lands in a plain "
            "integer field",
        ),
        _text("endpoint", nullable=False, unique=True),
        _json("keys", pg_type="TEXT", nullable=False, note="JSON held as text"),
        _ts("created_at"),
    ),
)

AUDIT_LOGS = Table(
    "audit_logs",
    ModelRef("audit", "AuditLog"),
    (
        _id(),
        _text("table_name", nullable=False),
        _text("operation", nullable=False),
        _int("record_id", note="the audited row's id; no foreign key (rows outlive it)"),
        _int("user_id", note="no foreign key: audit rows outlive the users they name"),
        _json("payload", pg_type="JSONB"),
        _ts("created_at"),
    ),
)

SYNC_EVENTS = Table(
    "sync_events",
    ModelRef("audit", "SyncEvent"),
    (
        _id(),
        _text("event_type", nullable=False),
        _fk("cadet_id", "cadets", OnDelete.CASCADE),
        _json("payload", pg_type="JSONB"),
        _ts("created_at"),
        _bool("processed", False),
        _ts("processed_at", default_now=False),
    ),
)

TABLES: tuple[Table, ...] = (
    CADETS,
    USERS,
    GRADES,
    TRAINING_DAYS,
    ATTENDANCE_RECORDS,
    STAFF_ATTENDANCE_RECORDS,
    MERIT_DEMERIT_LOGS,
    TRAINING_STAFF,
    EXCUSE_LETTERS,
    NOTIFICATIONS,
    ACTIVITIES,
    ACTIVITY_IMAGES,
    SYSTEM_SETTINGS,
    USER_SETTINGS,
    STAFF_MESSAGES,
    ADMIN_MESSAGES,
    PUSH_SUBSCRIPTIONS,
    AUDIT_LOGS,
    SYNC_EVENTS,
)

TABLES_BY_NAME: Mapping[str, Table] = MappingProxyType({t.name: t for t in TABLES})

NOT_MIGRATED: Mapping[str, NotMigratedTable] = MappingProxyType(
    {
        "staff_audit": NotMigratedTable(
            "staff_audit",
            "created lazily by the legacy staff delete route with SQLite-only DDL (the statement "
            "fails on PostgreSQL); no legacy route reads it and RGMS records staff changes in "
            "its own audit log. When a source has it, the export still writes it (raw, every "
            "column) and reports it, so nothing is lost; the import does not load it.",
        ),
    }
)

# The other half of the two-way accounting: model fields no legacy column feeds, with what
# migrated rows get there. The accounting test fails when a model grows a field not listed.
NEW_MODEL_FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "users.User": MappingProxyType(
            {
                "last_login": "Django auth bookkeeping; NULL until the first login after cutover",
                "is_superuser": "Django permissions; False for migrated users",
                "groups": "Django permissions; empty for migrated users",
                "user_permissions": "Django permissions; empty for migrated users",
            }
        ),
        "notifications.Notification": MappingProxyType(
            {"priority": "new in RGMS (websocket payload); migrated rows take 'normal'"}
        ),
        "audit.AuditLog": MappingProxyType(
            {"ip_address": "new in RGMS (security events); NULL for migrated rows"}
        ),
    }
)

# Names that belong to the database engine, never to the application.
SYSTEM_TABLE_PREFIXES: tuple[str, ...] = ("sqlite_",)


def dependency_order(tables: Iterable[Table]) -> tuple[str, ...]:
    """Topological order of the tables over their foreign-key edges (parents first).

    Ties are broken by declaration order so the result is stable. A reference to an undeclared
    table or a cycle raises ValueError, naming the tables involved.
    """
    declared = list(tables)
    position = {t.name: i for i, t in enumerate(declared)}
    for t in declared:
        for parent in t.depends_on:
            if parent not in position:
                raise ValueError(f"{t.name} references undeclared table {parent}")
    remaining = {t.name: set(t.depends_on) for t in declared}
    order: list[str] = []
    while remaining:
        ready = sorted((n for n, deps in remaining.items() if not deps), key=position.__getitem__)
        if not ready:
            raise ValueError(f"foreign-key cycle among: {', '.join(sorted(remaining))}")
        chosen = ready[0]
        order.append(chosen)
        del remaining[chosen]
        for deps in remaining.values():
            deps.discard(chosen)
    return tuple(order)


DEPENDENCY_ORDER: tuple[str, ...] = dependency_order(TABLES)


def get_table(name: str) -> Table:
    """The declared table, or KeyError naming the unknown table."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a declared legacy table") from None


def tables_in_dependency_order() -> tuple[Table, ...]:
    return tuple(TABLES_BY_NAME[name] for name in DEPENDENCY_ORDER)


def is_system_table(name: str) -> bool:
    return name.startswith(SYSTEM_TABLE_PREFIXES)


def all_targets() -> dict[tuple[str, str], Target]:
    """(table, column) -> Django target for every declared legacy column."""
    return {(t.name, c.name): t.target(c.name) for t in TABLES for c in t.columns}


@dataclass(frozen=True, slots=True)
class LegacyIndex:
    """An index the legacy backend creates (only used to give synthetic databases the real
    shape and the real backup/restore cost)."""

    name: str
    table: str
    columns: tuple[str, ...]
    dialects: frozenset[Dialect]


def _idx(name: str, table: str, *columns: str, pg_only: bool = False) -> LegacyIndex:
    return LegacyIndex(name, table, columns, PG_ONLY if pg_only else BOTH)


# database.js creates the first group on every start; the performance migration (PostgreSQL
# only in practice) the second. Duplicates are kept on purpose: the legacy database has them.
LEGACY_INDEXES: tuple[LegacyIndex, ...] = (
    _idx("idx_cadets_company", "cadets", "company"),
    _idx("idx_cadets_platoon", "cadets", "platoon"),
    _idx("idx_cadets_status", "cadets", "status"),
    _idx("idx_cadets_course", "cadets", "course"),
    _idx("idx_users_is_approved", "users", "is_approved"),
    _idx("idx_users_cadet_id", "users", "cadet_id"),
    _idx("idx_attendance_cadet_id", "attendance_records", "cadet_id"),
    _idx("idx_attendance_training_day_id", "attendance_records", "training_day_id"),
    _idx("idx_staff_attendance_staff_id", "staff_attendance_records", "staff_id"),
    _idx("idx_staff_attendance_day_id", "staff_attendance_records", "training_day_id"),
    _idx("idx_notifications_user_id", "notifications", "user_id"),
    _idx("idx_admin_messages_user_id", "admin_messages", "user_id"),
    _idx("idx_training_days_date", "training_days", "date"),
    _idx("idx_perf_grades_cadet", "grades", "cadet_id", pg_only=True),
    _idx("idx_perf_users_cadet", "users", "cadet_id", pg_only=True),
    _idx("idx_perf_users_staff", "users", "staff_id", pg_only=True),
    _idx("idx_perf_users_archived", "users", "is_archived", pg_only=True),
    _idx("idx_perf_merit_cadet", "merit_demerit_logs", "cadet_id", pg_only=True),
    _idx("idx_perf_merit_type", "merit_demerit_logs", "type", pg_only=True),
    _idx("idx_perf_merit_date", "merit_demerit_logs", "date_recorded", pg_only=True),
    _idx("idx_perf_merit_cadet_type", "merit_demerit_logs", "cadet_id", "type", pg_only=True),
    _idx("idx_perf_att_cadet", "attendance_records", "cadet_id", pg_only=True),
    _idx("idx_perf_att_day", "attendance_records", "training_day_id", pg_only=True),
    _idx("idx_perf_att_status", "attendance_records", "status", pg_only=True),
    _idx(
        "idx_perf_att_day_cadet",
        "attendance_records",
        "training_day_id",
        "cadet_id",
        pg_only=True,
    ),
    _idx("idx_perf_staff_att_staff", "staff_attendance_records", "staff_id", pg_only=True),
    _idx("idx_perf_staff_att_day", "staff_attendance_records", "training_day_id", pg_only=True),
    _idx("idx_perf_excuse_cadet", "excuse_letters", "cadet_id", pg_only=True),
    _idx("idx_perf_excuse_day", "excuse_letters", "training_day_id", pg_only=True),
    _idx("idx_perf_notif_user", "notifications", "user_id", pg_only=True),
    _idx("idx_perf_notif_read", "notifications", "is_read", pg_only=True),
    _idx("idx_perf_notif_user_read", "notifications", "user_id", "is_read", pg_only=True),
    _idx("idx_perf_cadets_status", "cadets", "status", pg_only=True),
    _idx("idx_perf_cadets_archived", "cadets", "is_archived", pg_only=True),
    _idx("idx_perf_cadets_status_archived", "cadets", "status", "is_archived", pg_only=True),
    _idx("idx_perf_training_days_date", "training_days", "date", pg_only=True),
    _idx("idx_perf_activities_type", "activities", "type", pg_only=True),
    _idx("idx_perf_activities_date", "activities", "date", pg_only=True),
)
