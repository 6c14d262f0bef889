"""Logging configuration: one line per record on stdout, with time, service and level."""

from __future__ import annotations

import logging
from typing import Any


class ServiceFilter(logging.Filter):
    """Stamps every record with the name of the service that wrote it."""

    def __init__(self, service: str = "web") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        return True


def logging_config(*, service: str, level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"service": {"()": ServiceFilter, "service": service}},
        "formatters": {
            "line": {
                "format": "%(asctime)s %(service)s %(levelname)s %(name)s %(message)s",
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "line",
                "filters": ["service"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "celery": {"level": level},
        },
    }
