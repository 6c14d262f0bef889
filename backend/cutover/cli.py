"""The command line of the cutover toolkit: `python -m cutover <command>`.

Commands that run without Django:

  seed             create a synthetic legacy database (rehearsal, tests, benchmarks)
  inspect          compare a legacy database with the declared legacy schema
  backup           back up the legacy database, write its manifest, then validate it
  validate-backup  restore a backup into a scratch database and compare it with its manifest
  export           export every table to JSON files with a manifest
  check-export     re-read an export and compare it with its manifest
  rollback         restore the legacy database from the latest validated backup, verify it,
                   point the frontend back, check legacy health (timed against R18's bound)

Commands that need the Django models (`bootstrap()` sets Django up for them only):

  import           import an export into the Django database (idempotent bulk upserts)
  verify           compare the legacy and Django databases row by row, column by column

The legacy database comes from --source or the NODEJS_DATABASE_URL environment variable.
Progress bars and messages go to stderr; the summary goes to stdout, or with --json a single
JSON document (progress off) for machines.

Exit codes (documented; scripts and the rehearsal rely on them):

  0  success
  1  a discrepancy or validation failure: the data is not what it must be (a table missing
     from the source, a backup that does not match its manifest, a value that cannot be
     exported or imported, a row the Django database refuses, any difference verify finds,
     a rollback step that failed or a rollback over its time bound, warnings under --strict)
  2  usage or configuration error: bad option, bad URL, unreachable database, an output
     directory that is not empty, an unreadable manifest, an unmigrated Django database,
     columns or tables the legacy schema does not declare (import), a failed read
  3  unexpected internal error (a bug: the traceback is printed)

--report FILE (import, verify, rollback) also writes the JSON document to FILE, whatever
the outcome. Logs go to stderr (CUTOVER_LOG_LEVEL, default WARNING).
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgressBar
from rich.table import Table

from cutover import __version__
from cutover.backup import ValidationResult, create_backup, validate_backup
from cutover.errors import (
    CellError,
    ConfigError,
    CutoverError,
    Discrepancy,
    DiscrepancyError,
    Problem,
    Severity,
    is_failure,
)
from cutover.export import check_export, export_database
from cutover.importer import DEFAULT_IMPORT_BATCH, AtomicMode, import_export
from cutover.legacy_schema import Dialect
from cutover.legacy_seed import DEFAULT_SEED, SeedConfig, seed_legacy_database
from cutover.rollback import ROLLBACK_BOUND_S
from cutover.rollback import rollback as run_rollback
from cutover.sources import (
    DEFAULT_BATCH_SIZE,
    create_database,
    database_name,
    inspect_source,
    open_source,
    parse_source_url,
    with_database,
)
from cutover.verify import DEFAULT_MAX_MISMATCHES, verify_migration

EXIT_OK = 0
EXIT_DISCREPANCY = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

SOURCE_ENV = "NODEJS_DATABASE_URL"
SCRATCH_ENV = "CUTOVER_SCRATCH_URL"
ZONE_ENV = "LEGACY_TIME_ZONE"
BACKUP_DIR_ENV = "LEGACY_BACKUP_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]

app = typer.Typer(
    name="cutover",
    help="RGMS cutover toolkit: back up, export, import, verify and roll back.",
    epilog="Exit codes: 0 ok; 1 discrepancy or validation failure; 2 usage or configuration "
    "error; 3 internal error.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SourceOption = Annotated[
    str,
    typer.Option(
        "--source",
        "-s",
        envvar=SOURCE_ENV,
        help="Legacy database URL: postgresql://... or sqlite:///path (env NODEJS_DATABASE_URL).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout; no progress bars.")
]
BatchOption = Annotated[
    int, typer.Option("--batch-size", min=1, help="Rows fetched per round trip.")
]
ScratchOption = Annotated[
    str | None,
    typer.Option(
        "--scratch-url",
        envvar=SCRATCH_ENV,
        help="PostgreSQL server for scratch restores (default: the --source server).",
        show_default=False,
    ),
]


ZoneOption = Annotated[
    str,
    typer.Option(
        "--legacy-zone",
        envvar=ZONE_ENV,
        help="IANA zone the legacy naive timestamps were written in (env LEGACY_TIME_ZONE).",
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="The Django database (default: Django's own, from DATABASE_URL).",
        show_default=False,
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Also write the JSON report to this file.", show_default=False),
]


# ----------------------------------------------------------------------------- plumbing


def bootstrap() -> None:
    """Set Django up for the commands that need the models, logging to stderr (stdout carries
    the summary or the --json document)."""
    import sys

    from cutover.django_target import bootstrap as setup_django

    setup_django()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
            handler.setStream(sys.stderr)
    level = os.environ.get("CUTOVER_LOG_LEVEL", "WARNING").upper()
    logging.getLogger("cutover").setLevel(level)


class RichProgress:
    """`cutover.progress.Progress` drawn as rich progress bars on stderr."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.enabled = enabled
        self.phase = ""
        self._bars = RichProgressBar(
            TextColumn("{task.description:<34}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def start(self, table: str, total: int | None) -> None:
        label = f"{self.phase} {table}".strip()
        self._tasks[table] = self._bars.add_task(label, total=total)

    def advance(self, table: str, rows: int) -> None:
        self._bars.advance(self._tasks[table], rows)

    def finish(self, table: str) -> None:
        task_id = self._tasks[table]
        done = next(t.completed for t in self._bars.tasks if t.id == task_id)
        self._bars.update(task_id, total=done, completed=done)

    def note(self, message: str) -> None:
        if self.enabled:
            self._bars.console.log(message)


@dataclass(slots=True)
class Outcome:
    """What a command reports: success, the JSON payload and the human summary."""

    ok: bool
    data: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)


def _stdout() -> Console:
    return Console(soft_wrap=True)


def _print_findings(console: Console, outcome: Outcome) -> None:
    style = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTICE: "dim"}
    for problem in outcome.problems:
        console.print(
            f"[{style[problem.severity]}]{problem.severity.upper():7}[/] {problem.message}",
            highlight=False,
            markup=True,
        )
    for found in outcome.discrepancies:
        console.print(f"[bold red]MISMATCH[/] {found.message}", highlight=False)


def _execute(
    command: str,
    json_output: bool,
    body: Callable[[RichProgress], Outcome],
    report: Path | None = None,
) -> None:
    """Run a command body with progress, map failures to exit codes, print the result (and
    write the JSON document to `report` when given, whatever the outcome)."""
    stderr = Console(stderr=True)
    code = EXIT_OK
    outcome: Outcome | None = None
    failure: dict[str, Any] | None = None
    try:
        with RichProgress(stderr, enabled=not json_output and stderr.is_terminal) as progress:
            outcome = body(progress)
        code = EXIT_OK if outcome.ok else EXIT_DISCREPANCY
    except ConfigError as exc:
        code, failure = EXIT_USAGE, {"error": str(exc), "error_kind": "config"}
    except CellError as exc:
        code = EXIT_DISCREPANCY
        failure = {"error": str(exc), "error_kind": "cell", "cell": exc.as_dict()}
    except (DiscrepancyError, CutoverError) as exc:
        code, failure = EXIT_DISCREPANCY, {"error": str(exc), "error_kind": "discrepancy"}
    except Exception as exc:  # a bug: say so loudly, with the traceback
        code = EXIT_INTERNAL
        failure = {"error": f"{type(exc).__name__}: {exc}", "error_kind": "internal"}
        stderr.print(traceback.format_exc(), markup=False, highlight=False)
    document = {"command": command, "ok": code == EXIT_OK, "exit_code": code}
    document.update(outcome.data if outcome else {})
    document.update(failure or {})
    rendered = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    if report is not None:
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_bytes(rendered + b"\n")
        except OSError as exc:
            stderr.print(f"[bold red]error:[/] cannot write the report {report}: {exc}")
            code = max(code, EXIT_USAGE)
            document["exit_code"] = code
    if json_output:
        typer.echo(rendered.decode())
    else:
        console = _stdout()
        if outcome is not None:
            for table in outcome.tables:
                console.print(table)
            for line in outcome.lines:
                console.print(line, highlight=False)
            _print_findings(console, outcome)
        if failure is not None:
            stderr.print(f"[bold red]error:[/] {failure['error']}", highlight=False)
        verdict = "OK" if code == EXIT_OK else f"FAILED (exit {code})"
        console.print(f"{command}: {verdict}", highlight=False)
    raise typer.Exit(code)


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "-"


def _validation_outcome(result: ValidationResult) -> tuple[list[str], list[Discrepancy]]:
    lines = [
        f"validation: {'OK' if result.ok else 'FAILED'} "
        f"({len(result.tables)} tables recomputed in {result.seconds:.1f} s, "
        f"restored into {result.restored_into})"
    ]
    return lines, list(result.discrepancies)


def _default_scratch(source: str, scratch: str | None) -> str | None:
    if scratch:
        return scratch
    location = parse_source_url(source)
    return location.url if location.dialect is Dialect.POSTGRESQL else None


# ----------------------------------------------------------------------------- commands


@app.command()
def seed(
    target: Annotated[
        str,
        typer.Option(
            "--target",
            "-t",
            help="Where to create the synthetic legacy database (postgresql://... or "
            "sqlite:///path). PostgreSQL: an empty database.",
        ),
    ],
    scale: Annotated[float, typer.Option(min=0.001, help="1.0 = 3000 cadets, ~130k rows.")] = 1.0,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed.")] = DEFAULT_SEED,
    credentials: Annotated[
        Path | None,
        typer.Option(help="Write the known passwords (synthetic data only) to this JSON file."),
    ] = None,
    create_db: Annotated[
        bool,
        typer.Option("--create-database", help="PostgreSQL: create the database first."),
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="SQLite: replace an existing file.")] = False,
    quirks: Annotated[bool, typer.Option(help="Include the documented legacy oddities.")] = True,
    json_output: JsonOption = False,
) -> None:
    """Create a synthetic legacy database with the legacy DDL shapes and realistic data."""

    def body(progress: RichProgress) -> Outcome:
        location = parse_source_url(target)
        if create_db:
            if location.dialect is not Dialect.POSTGRESQL:
                raise ConfigError("--create-database applies to PostgreSQL targets")
            create_database(with_database(location.url, "postgres"), database_name(location.url))
        progress.note(f"seeding {location.display} at scale {scale}")
        result = seed_legacy_database(
            target, SeedConfig(scale=scale, seed=seed_value, quirks=quirks), overwrite=overwrite
        )
        if credentials is not None:
            result.write_credentials(credentials)
        table = Table(title=f"Seeded {result.source}")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, rows in result.counts.items():
            table.add_row(name, str(rows))
        table.add_row("[bold]total[/]", f"[bold]{result.total_rows}[/]")
        data = result.as_dict()
        data.pop("credentials")
        data["credentials_file"] = str(credentials) if credentials else None
        data["known_credentials"] = len(result.credentials)
        lines = [
            f"{len(result.credentials)} users with known passwords, "
            f"{result.placeholder_users} with the placeholder hash, "
            f"{result.invalid_hash_users} with a corrupted hash; {result.seconds:.2f} s",
        ]
        if credentials:
            lines.append(f"credentials written to {credentials}")
        return Outcome(True, data, [table], lines)

    _execute("seed", json_output, body)


@app.command()
def inspect(
    source: SourceOption,
    strict: Annotated[bool, typer.Option(help="Warnings fail the command too.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Compare the legacy database with the declared schema (unknown, missing, absent)."""

    def body(progress: RichProgress) -> Outcome:
        with open_source(source) as legacy:
            inspection = inspect_source(legacy)
            counts = {p.name: legacy.count(p.name) for p in inspection.tables if p.exists}
        table = Table(title=f"{inspection.source} ({inspection.dialect})")
        for column in ("table", "status", "rows", "columns", "unknown", "missing", "absent"):
            table.add_column(column, justify="right" if column == "rows" else "left")
        for plan in inspection.tables:
            table.add_row(
                plan.name,
                str(plan.status),
                str(counts.get(plan.name, "-")),
                str(len(plan.columns)),
                ", ".join(plan.unknown_columns),
                ", ".join(plan.missing_columns),
                ", ".join(plan.absent_columns),
            )
        problems = list(inspection.problems)
        data = {
            "source": inspection.source,
            "dialect": str(inspection.dialect),
            "tables": [
                {
                    "name": p.name,
                    "status": str(p.status),
                    "rows": counts.get(p.name),
                    "columns": list(p.column_names),
                    "unknown_columns": list(p.unknown_columns),
                    "missing_columns": list(p.missing_columns),
                    "absent_columns": list(p.absent_columns),
                }
                for p in inspection.tables
            ],
            "problems": [p.as_dict() for p in problems],
        }
        return Outcome(not is_failure(problems, strict=strict), data, [table], problems=problems)

    _execute("inspect", json_output, body)


@app.command()
def backup(
    source: SourceOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for backups.")],
    name: Annotated[
        str | None, typer.Option(help="Base file name (default legacy-<dialect>-<stamp>).")
    ] = None,
    validate: Annotated[
        bool, typer.Option(help="Restore and compare with the manifest right away.")
    ] = True,
    scratch_url: ScratchOption = None,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
    json_output: JsonOption = False,
) -> None:
    """Back up the legacy database with a manifest, then validate it by a scratch restore.

    PostgreSQL: pg_dump -Fc from the snapshot the hashes are computed in; SQLite: the online
    backup API. Validation restores into a scratch database and compares every table."""

    def body(progress: RichProgress) -> Outcome:
        progress.phase = "hash"
        result = create_backup(source, out, name=name, progress=progress, batch_size=batch_size)
        manifest = result.manifest
        table = Table(title=f"Backup of {manifest.source}")
        for column in ("table", "status", "rows", "content hash"):
            table.add_column(column, justify="right" if column == "rows" else "left")
        for entry in manifest.tables:
            table.add_row(
                entry.name,
                entry.status,
                "-" if entry.rows is None else str(entry.rows),
                _short(entry.content_hash),
            )
        lines = [
            f"backup: {result.backup_path} ({manifest.size} bytes, sha256 {manifest.sha256})",
            f"manifest: {result.manifest_path}; {manifest.total_rows} rows; {result.seconds:.1f} s",
        ]
        data: dict[str, Any] = {"backup": result.as_dict(), "validation": None}
        discrepancies: list[Discrepancy] = []
        ok = not any(p.severity is Severity.ERROR for p in result.problems)
        if validate:
            progress.phase = "validate"
            validation = validate_backup(
                result.manifest_path,
                scratch_server_url=_default_scratch(source, scratch_url),
                progress=progress,
                batch_size=batch_size,
            )
            more, discrepancies = _validation_outcome(validation)
            lines += more
            data["validation"] = validation.as_dict()
            ok = ok and validation.ok
        else:
            lines.append("validation: skipped (--no-validate); run validate-backup before use")
        return Outcome(ok, data, [table], lines, list(result.problems), discrepancies)

    _execute("backup", json_output, body)


@app.command("validate-backup")
def validate_backup_command(
    manifest: Annotated[Path, typer.Argument(help="The backup's .manifest.json file.")],
    scratch_url: ScratchOption = None,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
    json_output: JsonOption = False,
) -> None:
    """Restore a backup into a scratch database and compare every table with its manifest."""

    def body(progress: RichProgress) -> Outcome:
        progress.phase = "validate"
        result = validate_backup(
            manifest, scratch_server_url=scratch_url, progress=progress, batch_size=batch_size
        )
        lines, discrepancies = _validation_outcome(result)
        return Outcome(result.ok, result.as_dict(), [], lines, [], discrepancies)

    _execute("validate-backup", json_output, body)


@app.command()
def export(
    source: SourceOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="An empty directory for the export.")],
    strict: Annotated[bool, typer.Option(help="Warnings fail the command too.")] = False,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
    json_output: JsonOption = False,
) -> None:
    """Export every table, in dependency order, to JSON files with a manifest."""

    def body(progress: RichProgress) -> Outcome:
        result = export_database(
            source, out, batch_size=batch_size, progress=progress, strict=strict
        )
        manifest = result.manifest
        table = Table(title=f"Export of {manifest.source} ({manifest.dialect})")
        for column in ("table", "status", "rows", "file", "bytes"):
            table.add_column(column, justify="right" if column in {"rows", "bytes"} else "left")
        for entry in manifest.tables:
            table.add_row(
                entry.name,
                entry.status,
                "-" if entry.rows is None else str(entry.rows),
                entry.file or "-",
                "-" if entry.file_size is None else str(entry.file_size),
            )
        lines = [
            f"exported {result.total_rows} rows from "
            f"{sum(1 for t in manifest.tables if t.rows is not None)} tables "
            f"in {result.seconds:.1f} s; manifest {result.manifest_path}"
        ]
        return Outcome(result.ok, result.as_dict(), [table], lines, list(result.problems))

    _execute("export", json_output, body)


@app.command("check-export")
def check_export_command(
    directory: Annotated[Path, typer.Argument(help="The export directory.")],
    json_output: JsonOption = False,
) -> None:
    """Re-read an export: files, sizes, SHA-256, columns, row counts and content hashes."""

    def body(progress: RichProgress) -> Outcome:
        result = check_export(directory, progress=progress)
        lines = [
            f"checked {len(result.tables)} tables, "
            f"{sum(d.rows for d in result.tables.values())} rows"
        ]
        return Outcome(result.ok, result.as_dict(), [], lines, [], list(result.discrepancies))

    _execute("check-export", json_output, body)


@app.command("import")
def import_command(
    export_dir: Annotated[
        Path, typer.Option("--export-dir", "-e", help="The export directory (with manifest.json).")
    ],
    quarantine: Annotated[
        Path | None,
        typer.Option(
            help="Set rows no rule converts aside in this JSON report and continue (default: "
            "stop at the first, naming table, key, column and value).",
            show_default=False,
        ),
    ] = None,
    atomic: Annotated[
        AtomicMode,
        typer.Option(help="One transaction for the whole run, or one per table."),
    ] = AtomicMode.RUN,
    database_url: DatabaseOption = None,
    legacy_zone: ZoneOption = "UTC",
    batch_size: BatchOption = DEFAULT_IMPORT_BATCH,
    report: ReportOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import an export into the Django database: names mapped, values converted by the
    documented rules, keys kept, sequences reset; re-running changes nothing."""

    def body(progress: RichProgress) -> Outcome:
        bootstrap()
        progress.phase = "import"
        result = import_export(
            export_dir,
            database_url=database_url,
            quarantine=quarantine,
            atomic=atomic,
            legacy_zone=legacy_zone,
            batch_size=batch_size,
            progress=progress,
        )
        table = Table(title=f"Import into {result.database} ({result.atomic} atomic)")
        for column in ("table", "rows", "inserted", "updated", "unchanged", "quarantined"):
            table.add_column(column, justify="left" if column == "table" else "right")
        table.add_column("NULL flags read as default")
        for t in result.tables:
            if t.status != "imported":
                table.add_row(t.name, "-", "-", "-", "-", "-", t.status)
                continue
            flags = ", ".join(f"{k} {v}" for k, v in t.flag_defaults.items() if v)
            table.add_row(
                t.name,
                str(t.rows),
                str(t.inserted),
                str(t.updated),
                str(t.unchanged),
                str(t.quarantined),
                flags,
            )
        lines = [f"{result.summary}; {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s)"]
        passwords = result.passwords
        if passwords:
            lines.append(
                "passwords: "
                + ", ".join(f"{count} {status}" for status, count in passwords.items())
                + " (placeholder and invalid ones migrate unusable; see docs/authentication.md)"
            )
        lines.append(f"sequences reset: {len(result.sequences)} tables")
        return Outcome(result.ok, result.as_dict(), [table], lines, list(result.problems))

    _execute("import", json_output, body, report)


@app.command()
def verify(
    source: SourceOption,
    quarantine: Annotated[
        Path | None,
        typer.Option(help="The import's quarantine report: its rows are expected absent."),
    ] = None,
    database_url: DatabaseOption = None,
    legacy_zone: ZoneOption = "UTC",
    max_mismatches: Annotated[
        int, typer.Option(min=0, help="How many differences to list (totals count all).")
    ] = DEFAULT_MAX_MISMATCHES,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
    report: ReportOption = None,
    json_output: JsonOption = False,
) -> None:
    """Compare the legacy database with Django's: counts, orphaned foreign keys, and every
    row and column after the import's conversions. Exit 1 on any discrepancy."""

    def body(progress: RichProgress) -> Outcome:
        bootstrap()
        progress.phase = "verify"
        result = verify_migration(
            source,
            database_url=database_url,
            quarantine=quarantine,
            legacy_zone=legacy_zone,
            max_mismatches=max_mismatches,
            batch_size=batch_size,
            progress=progress,
        )
        table = Table(title=f"Verify {result.source} against {result.database}")
        columns = ("table", "legacy", "django", "quarantined", "missing", "extra", "mismatched")
        for column in columns:
            table.add_column(column, justify="left" if column == "table" else "right")
        table.add_column("status")
        for t in result.tables:
            table.add_row(
                t.name,
                str(t.legacy_rows),
                str(t.django_rows),
                str(t.quarantined),
                str(t.missing),
                str(t.extra),
                str(t.mismatched_rows),
                "ok" if t.ok else "[bold red]DIFFERS[/]",
            )
        lines = [
            f"{result.summary}; {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s "
            "read and compared)"
        ]
        lines += [f"[bold red]DIFF[/] {m.message}" for m in result.mismatches[:20]]
        if len(result.mismatches) > 20:
            lines.append(f"... {len(result.mismatches) - 20} more listed in the JSON report")
        lines += [
            f"[bold red]ORPHANS[/] {o.table}.{o.column}: {o.count} rows name a missing "
            f"{o.parent} row (e.g. {', '.join(f'{k} -> {v}' for k, v in o.sample)})"
            for o in result.orphans
            if o.count
        ]
        return Outcome(result.ok, result.as_dict(), [table], lines, list(result.problems))

    _execute("verify", json_output, body, report)


def _platform(
    kind: str,
    blueprint: Path,
    api_key: str | None,
    api_url: str | None,
    frontend_service: str | None,
) -> Any:
    if kind == "none":
        return None
    if kind != "render":
        raise ConfigError(f"--platform {kind}: expected none or render")
    if not api_key:
        raise ConfigError("--platform render needs an API key (--render-api-key or RENDER_API_KEY)")
    from cutover.platform.blueprint import BlueprintError
    from cutover.platform.render import API_URL, RenderPlatform

    try:
        return RenderPlatform.from_files(
            blueprint, api_key, base_url=api_url or API_URL, frontend_service=frontend_service
        )
    except BlueprintError as exc:
        raise ConfigError(f"{blueprint}: {exc}") from exc


@app.command()
def rollback(
    source: SourceOption,
    backup: Annotated[
        Path | None,
        typer.Option(
            "--backup", help="The backup's .manifest.json to restore.", show_default=False
        ),
    ] = None,
    backup_dir: Annotated[
        Path | None,
        typer.Option(
            envvar=BACKUP_DIR_ENV,
            help="Restore the latest validated backup in this directory (env LEGACY_BACKUP_DIR).",
            show_default=False,
        ),
    ] = None,
    platform: Annotated[
        str,
        typer.Option(
            envvar="CUTOVER_PLATFORM",
            help="Where the Django services run: none (stop them by hand) or render.",
        ),
    ] = "none",
    blueprint: Annotated[
        Path, typer.Option(help="render.yaml (validated before any Render call).")
    ] = REPO_ROOT / "render.yaml",
    render_api_key: Annotated[
        str | None, typer.Option(envvar="RENDER_API_KEY", show_default=False, hidden=True)
    ] = None,
    render_api_url: Annotated[
        str | None, typer.Option(envvar="RENDER_API_URL", show_default=False, hidden=True)
    ] = None,
    frontend_service: Annotated[
        str | None,
        typer.Option(envvar="RENDER_FRONTEND_SERVICE", help="Render: the frontend's service."),
    ] = None,
    frontend_url: Annotated[
        str | None,
        typer.Option(
            envvar="LEGACY_API_URL",
            help="The legacy backend's URL to point the frontend back at (env LEGACY_API_URL).",
            show_default=False,
        ),
    ] = None,
    legacy_health_url: Annotated[
        str | None,
        typer.Option(
            envvar="LEGACY_HEALTH_URL",
            help="The legacy backend's health check (env LEGACY_HEALTH_URL).",
            show_default=False,
        ),
    ] = None,
    scratch_url: ScratchOption = None,
    time_bound: Annotated[
        float, typer.Option(min=1, help="Seconds the rollback may take (R18: 15 minutes).")
    ] = ROLLBACK_BOUND_S,
    batch_size: BatchOption = DEFAULT_BATCH_SIZE,
    report: ReportOption = None,
    json_output: JsonOption = False,
) -> None:
    """Roll back to the legacy backend: stop the Django services, restore the legacy database
    from the latest validated backup, verify it against the backup manifest, point the
    frontend back and check legacy health; timed against R18's bound."""

    def body(progress: RichProgress) -> Outcome:
        target = _platform(platform, blueprint, render_api_key, render_api_url, frontend_service)
        result = run_rollback(
            legacy_url=source,
            backup_manifest=backup,
            backup_dir=backup_dir,
            platform=target,
            legacy_health_url=legacy_health_url,
            frontend_url=frontend_url,
            scratch_server_url=scratch_url,
            time_bound_s=time_bound,
            batch_size=batch_size,
            progress=progress,
        )
        table = Table(title=f"Rollback of {result.legacy}")
        for column in ("step", "status", "seconds", "detail"):
            table.add_column(column, justify="right" if column == "seconds" else "left")
        for step in result.steps:
            style = {"ok": "green", "failed": "bold red"}.get(step.status, "dim")
            table.add_row(
                step.name, f"[{style}]{step.status}[/]", f"{step.seconds:.2f}", step.detail
            )
        verdict = "within" if result.within_bound else "[bold red]OVER[/]"
        lines = [
            result.summary,
            f"total {result.seconds:.1f} s, {verdict} the {result.time_bound_s:.0f} s bound",
        ]
        return Outcome(result.ok, result.as_dict(), [table], lines)

    _execute("rollback", json_output, body, report)


@app.command()
def version() -> None:
    """Print the toolkit version."""
    typer.echo(__version__)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point for `python -m cutover` and the plan-named scripts."""
    level = os.environ.get("CUTOVER_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app(args=list(argv) if argv is not None else None, prog_name="cutover")
