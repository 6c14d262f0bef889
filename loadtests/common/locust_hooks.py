"""Locust integration: record every raw response time, judge the run on quit, set the exit code.

Locustfiles call ``install()`` once at import (calling it again is harmless, so loading
``read_mix.py`` and ``write_mix.py`` together registers one set of listeners). Then:

* ``request``: every response time is kept raw per (method, name, class) in a ``SampleRecorder``;
  the class comes from the request's ``context["load_class"]`` (set by ``ApiUser``).
* ``report_to_master`` / ``worker_report``: in distributed runs the workers ship their raw samples
  to the master with each periodic report, so the master judges every request.
* ``spawning_complete`` (with ``--reset-stats``) and ``reset_stats``: the ramp-up is forgotten.
* ``quitting``: ``evaluate_run`` decides PASS / BREACH / INCONCLUSIVE / TOOL_ERROR, the JSON, CSV
  and HTML results are written, and ``environment.process_exit_code`` is set (0 pass, 1 breach,
  2 tool error, 3 inconclusive; see ``loadtests.common.thresholds.ExitCode``). The exit code is
  always set by us, so locust's own "any failure -> exit 1" rule never decides the outcome.

Which classes a run judges comes from the User classes that run: each declares ``load_classes``.

Environment: ``LOAD_RESULTS_DIR`` (default ``load-results``), ``LOAD_RUN_NAME`` (file stem,
default ``load-<classes>``), ``LOAD_CACHE_STATS_URL`` (optional JSON ``{"hits", "misses"}`` counters
read before and after the run for the cache hit rate).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NoReturn

import requests
from locust import __version__ as locust_version
from locust import events
from locust import log as locust_log
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from loadtests.common.data import LoadData, LoadDataError, load_data
from loadtests.common.recorder import SampleRecorder, classify, judged_classes_of
from loadtests.common.results import ResultPaths, write_results
from loadtests.common.thresholds import (
    CacheStats,
    ExitCode,
    LoadResult,
    RequestClass,
    cache_delta,
    evaluate_run,
    parse_cache_counters,
)

logger = logging.getLogger(__name__)

RESULTS_DIR_ENV: Final = "LOAD_RESULTS_DIR"
RUN_NAME_ENV: Final = "LOAD_RUN_NAME"
CACHE_STATS_URL_ENV: Final = "LOAD_CACHE_STATS_URL"
DEFAULT_RESULTS_DIR: Final = "load-results"
PAYLOAD_KEY: Final = "rgms_raw_samples"
CACHE_STATS_TIMEOUT_S: Final = 5.0


class _Run:
    """State of the one load run in this process."""

    def __init__(self) -> None:
        self.recorder = SampleRecorder()
        self.judged: frozenset[RequestClass] = frozenset()
        self.started: float | None = None
        self.stopped: float | None = None
        self.started_at: str | None = None
        self.cache_before: CacheStats | None = None
        self.tool_errors: list[str] = []
        self.data: LoadData | None = None
        self.environment: Environment | None = None
        self.installed = False

    def restart_clock(self) -> None:
        self.started, self.stopped = time.monotonic(), None
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")

    def duration_s(self) -> float | None:
        if self.started is None:
            return None
        return (self.stopped or time.monotonic()) - self.started


RUN = _Run()


def _is_worker(environment: Environment) -> bool:
    return isinstance(environment.runner, WorkerRunner)


def _is_master(environment: Environment) -> bool:
    return isinstance(environment.runner, MasterRunner)


def _fetch_cache_stats() -> CacheStats | None:
    url = os.environ.get(CACHE_STATS_URL_ENV)
    if not url:
        return None
    try:
        response = requests.get(url, timeout=CACHE_STATS_TIMEOUT_S)
        response.raise_for_status()
        return parse_cache_counters(response.json(), source=url)
    except (requests.RequestException, ValueError) as exc:
        # The hit rate is a figure for the write-up, not part of the verdict: log and go on.
        logger.warning("cache counters unavailable from %s: %s", url, exc)
        return None


def _run_info(environment: Environment, paths_stem: str) -> dict[str, Any]:
    options = environment.parsed_options
    return {
        "name": paths_stem,
        "host": environment.host,
        "users": getattr(options, "num_users", None),
        "spawn_rate": getattr(options, "spawn_rate", None),
        "run_time": getattr(options, "run_time", None),
        "user_classes": sorted(u.__name__ for u in environment.user_classes),
        "judged_classes": sorted(c.value for c in RUN.judged),
        "started_at": RUN.started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "locust_version": locust_version,
    }


def _stem() -> str:
    judged = "-".join(sorted(c.value for c in RUN.judged)) or "none"
    return os.environ.get(RUN_NAME_ENV) or f"load-{judged}"


def _results_dir() -> Path:
    return Path(os.environ.get(RESULTS_DIR_ENV) or DEFAULT_RESULTS_DIR)


def _scenario_errors(environment: Environment) -> list[str]:
    errors: list[str] = []
    runner = environment.runner
    if runner is not None and runner.exceptions:
        # An exception in scenario code means some tasks never sent their requests: the sample is
        # no longer the mix we meant to measure.
        count = sum(int(e["count"]) for e in runner.exceptions.values())
        first = next(iter(runner.exceptions.values()))["msg"]
        errors.append(f"{count} exception(s) in scenario code, first: {first}")
    if locust_log.unhandled_greenlet_exception:
        errors.append("an unhandled exception in locust or an event handler (see the log)")
    return errors


def finish(environment: Environment) -> tuple[LoadResult, ResultPaths]:
    """Judge the run, write the results and set the process exit code."""
    RUN.stopped = RUN.stopped or time.monotonic()
    cache = None
    if RUN.cache_before is not None and (after := _fetch_cache_stats()) is not None:
        cache = cache_delta(RUN.cache_before, after)
    stem = _stem()
    result = evaluate_run(
        RUN.recorder.endpoints(),
        judged_classes=RUN.judged,
        duration_s=RUN.duration_s(),
        tool_errors=[*RUN.tool_errors, *_scenario_errors(environment)],
        cache=cache,
        run=_run_info(environment, stem),
    )
    paths = write_results(result, _results_dir(), stem)
    environment.process_exit_code = int(result.exit_code)
    _log_result(result, paths)
    return result, paths


def _log_result(result: LoadResult, paths: ResultPaths) -> None:
    log = logger.info if result.exit_code == ExitCode.PASS else logger.error
    log("load verdict %s (exit %d); results in %s", result.verdict, result.exit_code, paths.json)
    for reason in result.reasons:
        log("  %s", reason)


def fail_fast(environment: Environment, message: str) -> NoReturn:
    """Stop before any load with a TOOL_ERROR result (e.g. no usable data fixture)."""
    RUN.tool_errors.append(message)
    logger.error("load run cannot start: %s", message)
    if not _is_worker(environment):
        try:
            finish(environment)
        except OSError:
            logger.exception("could not write the load result")
    # SystemExit is not an Exception, so locust's event dispatch lets it end the process.
    raise SystemExit(int(ExitCode.TOOL_ERROR))


def scenario_data(environment: Environment) -> LoadData:
    """The data fixture, loaded once; a bad or missing fixture ends the run as a tool error."""
    if RUN.data is None:
        try:
            RUN.data = load_data()
        except LoadDataError as exc:
            fail_fast(environment, str(exc))
    return RUN.data


# --------------------------------------------------------------------------------------------
# Listeners


def _on_init(environment: Environment, **_: Any) -> None:
    RUN.environment = environment
    RUN.judged = judged_classes_of(environment.user_classes)
    if not _is_master(environment):
        # Users run here: check the fixture now rather than failing inside every user later.
        scenario_data(environment)


def _on_test_start(environment: Environment, **_: Any) -> None:
    RUN.restart_clock()
    if not _is_worker(environment):
        RUN.cache_before = _fetch_cache_stats()


def _on_request(
    request_type: str,
    name: str,
    response_time: float | None,
    context: dict[str, Any] | None = None,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    if response_time is None:
        return
    RUN.recorder.record(
        method=request_type,
        name=name,
        load_class=classify(request_type, context),
        response_time_ms=response_time,
        failed=exception is not None,
    )


def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data[PAYLOAD_KEY] = RUN.recorder.drain()


def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    payload = data.get(PAYLOAD_KEY)
    if payload is None:
        return
    try:
        RUN.recorder.merge(payload)
    except ValueError as exc:
        RUN.tool_errors.append(f"worker {client_id} sent unusable samples: {exc}")


def _reset(**_: Any) -> None:
    RUN.recorder.reset()
    RUN.restart_clock()


def _on_spawning_complete(user_count: int, **_: Any) -> None:
    environment = RUN.environment
    if environment is not None and environment.reset_stats:
        _reset()


def _on_test_stop(environment: Environment, **_: Any) -> None:
    RUN.stopped = time.monotonic()


def _on_quitting(environment: Environment, **_: Any) -> None:
    if _is_worker(environment):
        return  # the master judges the run
    try:
        finish(environment)
    except Exception:
        # Whatever broke, the run must not look like a pass.
        logger.exception("judging the load run failed")
        environment.process_exit_code = int(ExitCode.TOOL_ERROR)


def install() -> None:
    """Register the listeners on locust's global event hooks, once per process."""
    if RUN.installed:
        return
    RUN.installed = True
    events.init.add_listener(_on_init)
    events.test_start.add_listener(_on_test_start)
    events.request.add_listener(_on_request)
    events.report_to_master.add_listener(_on_report_to_master)
    events.worker_report.add_listener(_on_worker_report)
    events.spawning_complete.add_listener(_on_spawning_complete)
    events.reset_stats.add_listener(_reset)
    events.test_stop.add_listener(_on_test_stop)
    events.quitting.add_listener(_on_quitting)
