"""Benchmark: the migration toolkit end to end, per step, at the realistic size and at ~1M rows.

For each scale: seed a synthetic legacy database (``cutover.legacy_seed``; PostgreSQL by
default, SQLite with --dialect sqlite), then time each step as the cutover runs it:

  seed      create the legacy tables and rows (setup, not part of the cutover)
  backup    pg_dump / SQLite backup API, with per-table content hashes
  validate  restore into a scratch database and compare with the manifest
  export    every table to JSON with a manifest
  import    into a migrated Django database (created once on the same server, migrated,
            dropped afterwards; emptied between scales)
  verify    legacy against Django, row by row and column by column

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m verification.benchmarks.migration            # 1.0 and ~1M rows
    ... -m verification.benchmarks.migration --small                     # quick: 0.05, 0.25
    ... -m verification.benchmarks.migration --scales 2 --dialect sqlite --json out.json

Prints, per step: wall seconds, CPU seconds of this process (and of child processes such as
pg_dump), rows, rows/s and the peak resident memory of the process during the step (sampled
every 10 ms, so "flat" is visible step by step); then the totals against the targets:
realistic backup-to-verify under 15 s, ~1M rows under 2 minutes, memory under 300 MB, verify
at 100k legacy rows/s or better. Machines shared with other work give slower wall times;
the CPU columns show what the toolkit itself spent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parents[2] / "backend"
MILLION_SCALE = 7.85  # ~1M rows (scale 1.0 is ~127k)
TARGETS = {
    "realistic_backup_to_verify_s": 15.0,
    "million_total_s": 120.0,
    "peak_rss_mb": 300.0,
    "verify_rows_per_s": 100_000.0,
}


def _rss_mb() -> float:
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _PeakSampler:
    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


@dataclass
class Step:
    scale: float
    name: str
    seconds: float
    cpu_s: float
    child_cpu_s: float
    rows: int
    peak_rss_mb: float
    detail: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(scale: float, name: str, action: Callable[[], tuple[int, str]]) -> Step:
    cpu, children, started = time.process_time(), _children_cpu(), time.perf_counter()
    with _PeakSampler() as sampler:
        rows, detail = action()
    step = Step(
        scale,
        name,
        time.perf_counter() - started,
        time.process_time() - cpu,
        _children_cpu() - children,
        rows,
        sampler.peak,
        detail,
    )
    print(
        f"  {name:<9} {step.seconds:7.2f} s  cpu {step.cpu_s:6.2f} s  child cpu "
        f"{step.child_cpu_s:5.2f} s  {rows:>9,} rows  {step.rows_per_s:>10,.0f} rows/s  "
        f"peak rss {step.peak_rss_mb:6.0f} MB  {detail}",
        flush=True,
    )
    return step


def _empty_django(alias: str) -> None:
    from django.db import connections

    from cutover.legacy_schema import TABLES
    from cutover.mapping import model_of

    tables = ", ".join(f'"{model_of(t)._meta.db_table}"' for t in TABLES)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def run_scale(
    scale: float, dialect: str, server: str, django_url: str, workdir: Path, batch: int
) -> list[Step]:
    from cutover.backup import create_backup, validate_backup
    from cutover.django_target import target_alias
    from cutover.export import export_database
    from cutover.importer import import_export
    from cutover.sources import create_database, drop_database, sqlite_url
    from cutover.verify import verify_migration

    print(f"scale {scale} ({dialect})", flush=True)
    run_dir = workdir / f"scale-{scale}"
    run_dir.mkdir()
    database = None
    if dialect == "postgresql":
        database = f"cutover_scratch_bench_legacy_{secrets.token_hex(4)}"
        legacy_url = create_database(server, database)
    else:
        legacy_url = sqlite_url(run_dir / "legacy.db")
    alias = target_alias(django_url)
    _empty_django(alias)
    steps: list[Step] = []
    state: dict[str, Any] = {}
    try:

        def seed() -> tuple[int, str]:
            # In a child process: the generator holds every row in memory, which is the
            # seed's business, not the cutover's (its peak is reported separately).
            done = subprocess.run(
                [sys.executable, "-m", "cutover", "seed", "--target", legacy_url,
                 "--scale", str(scale), "--json"],
                cwd=BACKEND, capture_output=True, text=True, check=True,
            )  # fmt: skip
            seeded = json.loads(done.stdout)
            state["rows"] = seeded["total_rows"]
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            return seeded["total_rows"], f"child process, peak rss {child_peak:.0f} MB"

        def backup() -> tuple[int, str]:
            result = create_backup(legacy_url, run_dir / "backups", batch_size=batch)
            state["manifest"] = result.manifest_path
            return result.manifest.total_rows, f"{result.manifest.size:,} bytes"

        def validate() -> tuple[int, str]:
            scratch = server if dialect == "postgresql" else None
            result = validate_backup(
                state["manifest"], scratch_server_url=scratch, batch_size=batch
            )
            assert result.ok, result.discrepancies
            return sum(d.rows for d in result.tables.values()), "restored and hash-equal"

        def export() -> tuple[int, str]:
            result = export_database(legacy_url, run_dir / "export", batch_size=batch)
            assert result.ok, result.problems
            size = sum(t.file_size or 0 for t in result.manifest.tables)
            return result.total_rows, f"{size:,} bytes of JSON"

        def do_import() -> tuple[int, str]:
            result = import_export(run_dir / "export", database_url=django_url)
            assert result.ok, result.summary
            assert result.inserted == result.total_rows, result.summary
            return result.total_rows, f"foreign keys {result.foreign_key_checks}"

        def verify() -> tuple[int, str]:
            result = verify_migration(legacy_url, database_url=django_url, batch_size=batch)
            assert result.ok, result.summary
            return result.total_rows, f"{result.rows_per_second:,.0f} rows/s both sides read"

        for name, action in (
            ("seed", seed),
            ("backup", backup),
            ("validate", validate),
            ("export", export),
            ("import", do_import),
            ("verify", verify),
        ):
            steps.append(timed(scale, name, action))
    finally:
        if database is not None:
            drop_database(server, database)
        shutil.rmtree(run_dir, ignore_errors=True)
    cutover = sum(s.seconds for s in steps if s.name != "seed")
    total = sum(s.seconds for s in steps)
    print(
        f"  backup..verify {cutover:.1f} s (cpu {sum(s.cpu_s for s in steps[1:]):.1f} s); "
        f"with seed {total:.1f} s; peak rss {max(s.peak_rss_mb for s in steps[1:]):.0f} MB",
        flush=True,
    )
    return steps


def _verdicts(steps: list[Step], scales: list[float]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    by_scale = {s: [x for x in steps if x.scale == s] for s in scales}
    if 1.0 in by_scale:
        realistic = sum(x.seconds for x in by_scale[1.0] if x.name != "seed")
        found["realistic_backup_to_verify_s"] = round(realistic, 2)
    biggest = max(scales)
    if biggest >= MILLION_SCALE * 0.9:
        found["million_total_s"] = round(sum(x.seconds for x in by_scale[biggest]), 2)
        found["million_backup_to_verify_s"] = round(
            sum(x.seconds for x in by_scale[biggest] if x.name != "seed"), 2
        )
    found["peak_rss_mb"] = round(max(x.peak_rss_mb for x in steps if x.name != "seed"), 1)
    verifies = [x for x in steps if x.name == "verify"]
    found["verify_rows_per_s"] = round(min(x.rows_per_s for x in verifies)) if verifies else 0
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("DATABASE_URL"),
                        help="PostgreSQL server URL (default DATABASE_URL)")  # fmt: skip
    parser.add_argument("--dialect", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--scales", help="comma-separated scale factors (1.0 = ~127k rows)")
    parser.add_argument("--small", action="store_true", help="quick sizes: 0.05 and 0.25")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    if not args.server:
        parser.error("a PostgreSQL server is needed for the Django database (--server)")
    if args.scales:
        scales = [float(s) for s in args.scales.split(",")]
    elif args.small:
        scales = [0.05, 0.25]
    else:
        scales = [1.0, MILLION_SCALE]
    sys.path.insert(0, str(BACKEND))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("CUTOVER_LOG_LEVEL", "WARNING")
    from django.core.management import call_command

    from cutover.django_target import bootstrap, target_alias
    from cutover.sources import create_database, drop_database

    bootstrap()
    import logging

    logging.getLogger("cutover").setLevel(logging.WARNING)
    django_db = f"cutover_scratch_bench_django_{secrets.token_hex(4)}"
    django_url = create_database(args.server, django_db)
    steps: list[Step] = []
    try:
        started = time.perf_counter()
        call_command("migrate", database=target_alias(django_url), verbosity=0)
        print(f"Django database migrated in {time.perf_counter() - started:.1f} s (not timed)")
        with tempfile.TemporaryDirectory(prefix="cutover-bench-") as tmp:
            for scale in scales:
                steps += run_scale(
                    scale, args.dialect, args.server, django_url, Path(tmp), args.batch_size
                )
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.server, django_db)
    verdicts = _verdicts(steps, scales)
    print("targets:")
    for key, value in verdicts.items():
        target = TARGETS.get(key)
        if target is None:
            print(f"  {key}: {value}")
            continue
        good = value >= target if key == "verify_rows_per_s" else value <= target
        print(f"  {key}: {value} (target {target:g}) {'met' if good else 'NOT MET'}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "dialect": args.dialect,
                    "scales": scales,
                    "steps": [asdict(s) | {"rows_per_s": round(s.rows_per_s)} for s in steps],
                    "verdicts": verdicts,
                    "targets": TARGETS,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
