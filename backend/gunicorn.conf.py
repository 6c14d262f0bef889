"""gunicorn configuration of the web service. Render sets PORT; we bind every interface.

Logs: gunicorn's own lines go through the project's JSON configuration (config.logging); the
per-request line is written by rgms.observability's middleware, so gunicorn's access log is off.

Metrics: prometheus-client runs in multiprocess mode. PROMETHEUS_MULTIPROC_DIR (or a fresh
temporary directory when it is unset) is emptied when gunicorn starts and handed to the
workers; a worker that exits has its live gauges removed (child_exit). See docs/monitoring.md.
"""

import os
import shutil
import tempfile
from pathlib import Path

from config import env
from config.logging import logging_config

bind = f"0.0.0.0:{env.get('PORT')}"
workers = env.get("WEB_CONCURRENCY")
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never takes the service down; the jitter
# keeps all workers from restarting at once. Not often: a new worker costs about 1.4 s of CPU
# (imports, URLconf) before it answers, so recycling every 1000 requests cost more CPU than a
# cached read itself and put multi-second stalls in p95 under load (measured with
# verification/benchmarks/api_throughput.py; docs/benchmarks/api-throughput.md).
max_requests = 50_000
max_requests_jitter = 5_000
accesslog = None
errorlog = "-"
loglevel = env.get("LOG_LEVEL").lower()
logconfig_dict = logging_config(
    service=env.get("SERVICE_NAME") if env.is_set("SERVICE_NAME") else "web",
    level=env.get("LOG_LEVEL"),
)

# Our own temporary directory unless one is given; removed again when gunicorn exits. In
# memory (/dev/shm) where there is one: every request writes to these memory-mapped files, and
# on a disk file system each write after a writeback costs a page fault.
_own_metrics_dir = not env.is_set("PROMETHEUS_MULTIPROC_DIR")
_shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private, unique directory in it
_metrics_dir = Path(
    env.get("PROMETHEUS_MULTIPROC_DIR")
    or tempfile.mkdtemp(prefix="rgms-prometheus-", dir=_shm if _shm.is_dir() else None)
)


def on_starting(server) -> None:
    """Start from an empty metrics directory: files of a previous run would be added in."""
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for entry in _metrics_dir.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    # prometheus-client reads the variable when the workers import it (after the fork).
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(_metrics_dir))


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
