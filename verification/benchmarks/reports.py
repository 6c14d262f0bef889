"""Benchmark: the full roster PDF and the Excel (and CSV) export for 3000 cadets.

Seeds a throwaway database (created on the PostgreSQL server of DATABASE_URL, migrated,
dropped afterwards) with N cadets with grades and D training days of attendance, then times
each export end to end as the worker runs it: the queries, the grade computation, rendering
and storing the file (local media in a temporary directory).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m verification.benchmarks.reports --cadets 3000 --days 15

Prints one line per export (best and median of --repeat runs, rows, bytes) and the peak
resident memory of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time

from verification.infra import processes

STATUSES = ["present"] * 14 + ["late"] * 3 + ["excused"] * 1 + ["absent"] * 2


def seed(*, cadets: int, days: int, rng: random.Random) -> None:
    from rgms.attendance.models import ATTENDED_STATUSES, AttendanceRecord, TrainingDay
    from rgms.cadets.models import Cadet
    from rgms.grading.models import Grade

    training_days = TrainingDay.objects.bulk_create(
        TrainingDay(date=dt.date(2025, 1, 4) + dt.timedelta(days=7 * n), title=f"Day {n + 1}")
        for n in range(days)
    )
    rows = Cadet.objects.bulk_create(
        (
            Cadet(
                first_name=rng.choice(["Ana", "Ben", "Carla", "Dan", "Elia", "Fe", "Gio"]),
                middle_name=rng.choice(["", "M.", "R."]),
                last_name=f"{rng.choice(['Cruz', 'Reyes', 'Santos', 'Garcia', 'Lim'])}{n:04d}",
                student_id=f"2025-{n:05d}",
                company=rng.choice(["Alpha", "Bravo", "Charlie", "Delta"]),
                platoon=str(rng.randint(1, 4)),
                course=rng.choice(["BSIT", "BSED", "BSCE", "BSN"]),
            )
            for n in range(cadets)
        ),
        batch_size=1000,
    )
    records, grades = [], []
    for cadet in rows:
        statuses = [rng.choice(STATUSES) for _ in training_days]
        records.extend(
            AttendanceRecord(training_day=day, cadet=cadet, status=status, time_in="7:05:12 AM")
            for day, status in zip(training_days, statuses, strict=True)
        )
        grades.append(
            Grade(
                cadet=cadet,
                attendance_present=sum(status in ATTENDED_STATUSES for status in statuses),
                merit_points=rng.randint(0, 25),
                demerit_points=rng.randint(0, 15),
                prelim_score=rng.randint(55, 100),
                midterm_score=rng.randint(55, 100),
                final_score=rng.randint(55, 100),
                status=rng.choice(["active"] * 30 + ["INC", "DO"]),
            )
        )
    Grade.objects.bulk_create(grades, batch_size=2000)
    AttendanceRecord.objects.bulk_create(records, batch_size=5000)


def time_export(kind: str, repeat: int) -> tuple[list[float], int, int]:
    from rgms.reports import services
    from rgms.reports.models import Report

    timings, size, rows = [], 0, 0
    for _ in range(repeat):
        report = Report.objects.create(kind=kind, params={})
        started = time.perf_counter()
        done = services.report_generate(report=report)
        timings.append(time.perf_counter() - started)
        size, rows = done.size or 0, done.row_count or 0
    return timings, size, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cadets", type=int, default=3000)
    parser.add_argument("--days", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    if not args.server_url:
        parser.error(
            "give --server-url or DATABASE_URL (a PostgreSQL server to create a database on)"
        )

    database_url = processes.create_database(args.server_url)
    media = tempfile.TemporaryDirectory(prefix="rgms-bench-media-")
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DATABASE_URL=database_url,
            DATABASE_SSLMODE="disable",
            LOG_LEVEL="WARNING",
        )
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("CLOUDINARY_URL", None)
        sys.path.insert(0, str(processes.BACKEND_DIR))
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        settings.MEDIA_ROOT = media.name
        call_command("migrate", verbosity=0)

        started = time.perf_counter()
        seed(cadets=args.cadets, days=args.days, rng=random.Random(20250301))
        print(
            f"seeded {args.cadets} cadets with grades, {args.days} training days, "
            f"{args.cadets * args.days} attendance records in {time.perf_counter() - started:.1f} s"
        )
        from rgms.reports.models import Report

        for kind in (Report.Kind.ROSTER_PDF, Report.Kind.ROSTER_XLSX, Report.Kind.ROSTER_CSV):
            timings, size, rows = time_export(kind, args.repeat)
            print(
                f"{kind:12s} rows={rows:5d} bytes={size:9d} "
                f"best={min(timings):6.2f} s median={statistics.median(timings):6.2f} s "
                f"(n={len(timings)})"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory {peak:.0f} MiB")
    finally:
        from django.db import connections

        connections.close_all()
        media.cleanup()
        processes.drop_database(database_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
