"""CPU per request of the hot endpoints, in process: the repeatable figure on a busy VM.

Prints figures; it is not a test and asserts no timings. ``api_throughput`` measures req/s
and latency over HTTP, where gunicorn, PostgreSQL, Redis and wrk share the cores and the VM's
speed drifts between runs. This benchmark calls Django's WSGI handler directly, one request
after the other, in one process under ``config.settings.production`` (the same fresh
database, seed and scenarios as ``api_throughput``), and reports for each scenario:

- the process's CPU milliseconds per request (every thread: the websocket sends run on the
  channel layer's own thread), best and median of ``--rounds`` rounds of ``--requests``;
- the SQL statements one request runs (as Django sends them; BEGIN and COMMIT not counted).

The database server's CPU is not included. Before/after comparisons: run it alternately
with ``--backend-dir`` pointing at each copy of ``backend/``.

``--instructions`` counts instructions per request instead, under valgrind's callgrind
(median of three batches): about 50 times slower, but repeatable within 1 % however busy or
slow the machine is. ``--cprofile DIR`` also writes a cProfile of each scenario.

Usage (from the repository root)::

    .venv/bin/python -m verification.benchmarks.api_cpu
    .venv/bin/python -m verification.benchmarks.api_cpu --cadets 200 --days 3 --requests 20 \\
        --rounds 2                                     # small, for CI
    .venv/bin/python -m verification.benchmarks.api_cpu --cadets 1000 --requests 200 \\
        --scenarios profile,attendance --instructions  # repeatable counts, ~10 minutes
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verification.benchmarks import api_throughput
from verification.infra import processes

# Every api_throughput scenario but the one that needs a second load running beside it and
# the reference read (a figure of the machine, served by its own server, not of our code).
SCENARIOS = tuple(
    name
    for name in api_throughput.SCENARIOS
    if name not in api_throughput.BACKGROUND and name != "reference"
)
MARKER = "RGMS_API_CPU_RESULT"


# --- the measuring process (`api_cpu measure`, with Django set up) -------------------------


def _environ(spec: api_throughput.Spec, serial: int) -> dict[str, Any]:
    body = spec.body
    if body is not None:  # a new score on every request, as the wrk script sends
        body = {k: serial % 101 if v == api_throughput.SCORE else v for k, v in body.items()}
    raw = json.dumps(body).encode() if body is not None else b""
    path, _, query = spec.path.partition("?")
    return {
        "REQUEST_METHOD": spec.method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_AUTHORIZATION": f"Bearer {spec.token}",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def measure(
    data: dict[str, Any],
    *,
    scenarios: list[str],
    requests: int,
    rounds: int,
    profile_dir: Path | None = None,
    instructions: bool = False,
) -> list[dict[str, Any]]:
    from django.db import connection

    from config.wsgi import application  # what gunicorn serves
    from rgms.authentication.tokens import access_token_for_user
    from rgms.users.models import User

    def token(username: str) -> str:
        return str(access_token_for_user(User.objects.get(username=username)))

    tokens = {
        "admin": token(data["admin"]),
        "staff": token(data["staff"]),
        "cadets": [(token(c["username"]), c["cadet_id"]) for c in data["cadets"]],
    }
    built = api_throughput.build_scenarios(data, tokens, size=max(2000, len(data["cadet_ids"])))
    serial = 0

    def call(name: str) -> None:
        nonlocal serial
        specs, expected = built[name]
        serial += 1
        answer: list[str] = []
        body = b"".join(
            application(
                _environ(specs[serial % len(specs)], serial),
                lambda status, headers, exc_info=None: answer.append(status),
            )
        )
        if int(answer[0].split()[0]) not in expected:
            raise SystemExit(f"{name}: answered {answer[0]}: {body[:300]!r}")

    results = []
    for name in scenarios:
        for _ in range(20):  # warm up: imports, connections, cache entries
            call(name)
        statements: list[str] = []

        def record(execute: Any, sql: str, *args: Any) -> Any:
            statements.append(sql)  # noqa: B023 (used within this iteration only)
            return execute(sql, *args)

        with connection.execute_wrapper(record):
            call(name)
        if instructions:
            # Three batches, the median kept: the first scenario's first batch has been seen
            # 14 % above the rest (one-off work the warm-up did not reach).
            batches = [
                _instructions(lambda: [call(name) for _ in range(requests)]) // requests  # noqa: B023
                for _ in range(3)
            ]
            results.append(
                {
                    "scenario": name,
                    "instructions": int(statistics.median(batches)),
                    "instructions_batches": batches,
                    "statements": len(statements),
                }
            )
            continue
        profiler = cProfile.Profile() if profile_dir else None
        per_request = []
        for _ in range(rounds):
            started = time.process_time()
            if profiler:
                profiler.enable()
            for _ in range(requests):
                call(name)
            if profiler:
                profiler.disable()
            per_request.append((time.process_time() - started) * 1000 / requests)
        if profiler and profile_dir:
            profiler.dump_stats(profile_dir / f"{name}.prof")
        results.append(
            {
                "scenario": name,
                "cpu_ms_best": round(min(per_request), 2),
                "cpu_ms_median": round(statistics.median(per_request), 2),
                "statements": len(statements),
            }
        )
    return results


def _instructions(run: Callable[[], object]) -> int:
    """The user-space instructions this process executes (every thread) while `run` runs.

    The process runs under ``valgrind --tool=callgrind --instr-atstart=no`` (see
    ``INSTRUCTIONS_WRAPPER``); callgrind_control zeroes the counters and turns counting on
    for `run` alone, so imports, set-up and warm-up are not counted."""

    def control(*options: str) -> str:
        return subprocess.run(
            ["callgrind_control", *options, str(os.getpid())],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    control("--zero")
    control("--instr=on")
    run()
    report = control("-e", "Ir")
    control("--instr=off")
    per_thread = re.findall(r"^\s*Th\s+\d+\s+([\d,]+)", report, re.MULTILINE)
    if not per_thread:
        raise SystemExit(f"callgrind_control printed no instruction counts:\n{report}")
    return sum(int(count.replace(",", "")) for count in per_thread)


# The measuring process under callgrind, counting nothing until _instructions turns it on.
INSTRUCTIONS_WRAPPER = (
    "valgrind",
    "--tool=callgrind",
    "--instr-atstart=no",
    "--callgrind-out-file=/dev/null",
)


def _measure_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="api_cpu measure")
    parser.add_argument("--scenarios", required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--cprofile", type=Path)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args(argv)
    import django

    django.setup()
    results = measure(
        json.loads(sys.stdin.read()),  # the seed's ids and usernames
        scenarios=args.scenarios.split(","),
        requests=args.requests,
        rounds=args.rounds,
        profile_dir=args.cprofile,
        instructions=args.instructions,
    )
    print(MARKER, json.dumps(results))


# --- main -----------------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = api_throughput.common_parser(
        "python -m verification.benchmarks.api_cpu",
        "Seed a fresh database and measure CPU per request in process.",
        SCENARIOS,
    )
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per scenario")
    parser.add_argument(
        "--cprofile",
        type=Path,
        help="also write a cProfile of each scenario's rounds to DIR/<scenario>.prof (read it"
        " with `python -m pstats`); the CPU figures of such a run include the profiler's cost",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind's callgrind instead of timing CPU:"
        " three batches of --requests per scenario (--rounds is not used), about 50 times"
        " slower, but the same count on a busy or slow machine (Debian: apt-get install"
        " valgrind)",
    )
    return api_throughput.parse_checked(parser, argv, SCENARIOS)


def _print_cpu(
    results: list[dict[str, Any]],
    *,
    backend_dir: Path,
    args: argparse.Namespace,
    reference: float,
) -> None:
    print(
        f"\nin process ({backend_dir}), {args.rounds} rounds of {args.requests} requests;"
        f" machine speed: a fixed Python loop takes {reference} ms of CPU (lower is faster)"
    )
    print(f"{'scenario':<16}{'cpu ms best':>12}{'median':>9}{'statements':>12}")
    for row in results:
        print(
            f"{row['scenario']:<16}{row['cpu_ms_best']:>12.2f}{row['cpu_ms_median']:>9.2f}"
            f"{row['statements']:>12}"
        )


def _print_instructions(results: list[dict[str, Any]], *, backend_dir: Path, requests: int) -> None:
    print(
        f"\nin process under callgrind ({backend_dir}), {requests} requests per scenario;"
        " user-space instructions per request of every thread of the process (not the"
        " kernel's, PostgreSQL's or Redis's), median of three batches"
    )
    print(f"{'scenario':<16}{'median':>12}{'lowest':>12}{'highest':>12}{'statements':>12}")
    for row in results:
        low, high = min(row["instructions_batches"]), max(row["instructions_batches"])
        print(
            f"{row['scenario']:<16}{row['instructions']:>12,}{low:>12,}{high:>12,}"
            f"{row['statements']:>12}"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:
        _measure_main(argv[1:])
        return 0
    args = _parse(argv)
    if args.cprofile:
        args.cprofile.mkdir(parents=True, exist_ok=True)
    if args.instructions and args.cprofile:
        raise SystemExit("--instructions and --cprofile measure differently: use one of them")
    if args.instructions and not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    database_url = processes.create_database(args.database_url)
    lease = processes.lease_redis_db(args.redis_url)
    try:
        # Request log lines off: this measures the API's work, not the log handler's.
        env = processes.staging_env(database_url=database_url, redis_url=lease.url)
        if args.instructions:
            env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts on every run
        data = api_throughput.migrate_and_seed(env, args, password=secrets.token_urlsafe(18))
        backend_dir = args.backend_dir.resolve()
        results = processes.django_json(
            "verification.benchmarks.api_cpu",
            [
                "measure",
                "--scenarios",
                args.scenarios,
                "--requests",
                str(args.requests),
                "--rounds",
                str(args.rounds),
                *(["--cprofile", str(args.cprofile.resolve())] if args.cprofile else []),
                *(["--instructions"] if args.instructions else []),
            ],
            env,
            marker=MARKER,
            backend_dir=backend_dir,
            input_text=json.dumps(data),  # the seed's ids and usernames
            timeout=3600 * (4 if args.instructions else 1),
            wrapper=INSTRUCTIONS_WRAPPER if args.instructions else (),
        )
        reference = api_throughput.reference_cpu_ms()
        if args.instructions:
            _print_instructions(results, backend_dir=backend_dir, requests=args.requests)
        else:
            _print_cpu(results, backend_dir=backend_dir, args=args, reference=reference)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "date": time.strftime("%Y-%m-%d"),
                        "reference_cpu_ms": reference,
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "counts": data["counts"],
                        "results": results,
                        "cprofile": [
                            str(args.cprofile.resolve() / f"{row['scenario']}.prof")
                            for row in results
                            if args.cprofile
                        ],
                    },
                    indent=2,
                )
            )
        return 0
    finally:
        lease.release()
        processes.drop_database(database_url)


if __name__ == "__main__":
    sys.exit(main())
