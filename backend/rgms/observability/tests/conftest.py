"""Fixtures of the observability tests: JSON log capture and a fresh sample store."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest

from config.logging import ContextFilter, JsonFormatter, RedactionFilter, ServiceFilter
from rgms.observability import samples


class JsonLog:
    """Every record logged while the fixture is active, formatted as the services format it."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def find(self, predicate: Callable[[dict], bool]) -> list[dict]:
        return [line for line in self.lines() if predicate(line)]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    log = JsonLog()
    handler = logging.StreamHandler(log.stream)
    handler.setFormatter(JsonFormatter())
    for log_filter in (ServiceFilter("web"), ContextFilter(), RedactionFilter()):
        handler.addFilter(log_filter)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture
def process_store() -> Iterator[samples.ProcessStore]:
    store = samples.ProcessStore()
    samples.set_store(store)
    try:
        yield store
    finally:
        samples.set_store(None)
