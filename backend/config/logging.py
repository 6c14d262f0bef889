"""Logging configuration of all four services: one JSON object per line on stdout.

Every line carries ``timestamp`` (UTC, ISO 8601, milliseconds), ``service``, ``level``,
``logger``, ``message``; ``request_id`` and ``user_id`` when the line was written while serving
a request or running a task that a request started (rgms.observability.context);
``task_id``/``task`` inside a Celery task; ``exception`` with the stack trace for errors; and
the simple values passed as ``extra=`` (e.g. the request line's method, route, status,
duration_ms). Secrets never reach the output: every line goes through
:class:`RedactionFilter` (rgms.observability.redaction).

gunicorn (gunicorn.conf.py ``logconfig_dict``) and Celery (the ``setup_logging`` signal in
config/celery.py) use this same configuration, so their own lines are JSON too.
"""

from __future__ import annotations

import logging
import logging.config
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from rgms.observability import context
from rgms.observability.redaction import REDACTED, is_sensitive_key, redact, redact_text

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "service", "request_id", "user_id", "taskName"}
)
_SIMPLE = (str, int, float, bool, type(None))


def detect_service(argv: Sequence[str]) -> str:
    """The service a process is, from its command line, when SERVICE_NAME is not set
    (``celery ... worker``, ``python -m celery ... beat``, ``daphne``; anything else is web)."""
    program = argv[0].replace("\\", "/") if argv else ""
    words = set(argv[1:])
    if "/celery" in program or program.startswith("celery") or "celery" in words:
        if "beat" in words:
            return "beat"
        if "worker" in words:
            return "worker"
    if "/daphne" in program or program.startswith("daphne"):
        return "channels"
    return "web"


class ServiceFilter(logging.Filter):
    """Stamps every record with the name of the service that wrote it."""

    def __init__(self, service: str = "web") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True


class ContextFilter(logging.Filter):
    """Stamps every record with the request id and user of the request or task being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id()
        if not hasattr(record, "user_id"):
            record.user_id = context.current_user_id()
        current_task = context.task()
        if current_task is not None and not hasattr(record, "task_id"):
            record.task_id, record.task = current_task
        return True


class RedactionFilter(logging.Filter):
    """Formats the message once, scrubbed, and scrubs ``extra=`` values (sensitive keys)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not lose the line
            message = f"{record.msg} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        fields = record.__dict__
        for key in [k for k in fields if k not in _STANDARD_ATTRIBUTES]:
            value = fields[key]
            if value is None or key.startswith("_"):
                continue
            if is_sensitive_key(key):
                fields[key] = REDACTED
            elif isinstance(value, str):
                fields[key] = redact_text(value)
            elif isinstance(value, dict | list | tuple):
                fields[key] = redact(value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring for the fields)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "service": getattr(record, "service", None),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        fields = record.__dict__
        for key in [k for k in fields if k not in _STANDARD_ATTRIBUTES]:
            if key.startswith("_") or key in entry:
                continue
            value = fields[key]
            if isinstance(value, _SIMPLE) or (isinstance(value, list | dict) and _is_plain(value)):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = redact_text(
                "".join(traceback.format_exception(*record.exc_info)).rstrip()
            )
        elif record.exc_text:
            entry["exception"] = redact_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return orjson.dumps(entry, default=str).decode()


def _is_plain(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, list):
        return all(_is_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and _is_plain(item, depth + 1) for key, item in value.items()
        )
    return isinstance(value, _SIMPLE)


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG (and Celery's setup): the dictConfig, plus Python warnings as
    log records, so that they are JSON lines too.

    The lines carry none of the caller's file and line, thread or process, so the logging
    module is told not to collect them for every record (the "Optimization" section of the
    logging HOWTO): a request line costs less on every request.
    """
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no sys._getframe() walk for the caller


def logging_config(*, service: str, level: str) -> dict[str, Any]:
    """The dictConfig of a service: root to stdout as JSON; Django's own handlers removed."""
    quiet = {"level": "WARNING"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "service": {"()": ServiceFilter, "service": service},
            "context": {"()": ContextFilter},
            "redaction": {"()": RedactionFilter},
        },
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["service", "context", "redaction"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's default handlers (plain-text console, mail_admins) are dropped: its
            # records reach the root handler as JSON like every other record.
            "django": {"handlers": [], "level": level, "propagate": True},
            # 4xx warnings duplicate the request line; 5xx errors (with the stack) stay.
            "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
            "django.server": {"handlers": [], "level": "ERROR", "propagate": True},
            "django.db.backends": quiet,
            "celery": {"level": level},
            "gunicorn.error": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
            "daphne": {"level": level},
            "urllib3": quiet,
            "asyncio": quiet,
            "twisted": {"level": level},
            "py.warnings": {"level": "WARNING"},
        },
    }
