"""Raw response-time recording, independent of locust so it can be unit-tested.

Locust's own statistics keep response times in rounded buckets (to 10 ms above 100 ms, to 100 ms
above 1 s), which can turn a true p95 of 2050 ms into "2000" or "2100". The budget is decided on
the raw values instead, so every response time is kept here, per (method, name, class).

In distributed runs each worker drains its samples into the periodic report to the master
(``drain`` / ``merge``); the payload is plain lists so locust's msgpack transport carries it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from typing import Any, Final

from loadtests.common.thresholds import EndpointSamples, RequestClass

CONTEXT_KEY: Final = "load_class"
_READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
# method, name, class, response times, failures
_ROW_FIELDS: Final = 5

Key = tuple[str, str, RequestClass]


def classify(method: str, context: Mapping[str, Any] | None = None) -> RequestClass:
    """Class of a request: an explicit ``context["load_class"]`` wins, else the HTTP method.

    Scenarios tag their requests explicitly; the method fallback only catches requests made
    without a tag (GET and friends are reads, anything that changes state is a write).
    """
    if context:
        tagged = context.get(CONTEXT_KEY)
        if tagged is not None:
            return RequestClass(str(tagged))
    return RequestClass.READ if method.upper() in _READ_METHODS else RequestClass.WRITE


def judged_classes_of(user_classes: Iterable[type]) -> frozenset[RequestClass]:
    """The classes a run judges: the union of ``load_classes`` declared by its User classes."""
    judged: set[RequestClass] = set()
    for user_class in user_classes:
        judged.update(RequestClass(c) for c in getattr(user_class, "load_classes", ()))
    return frozenset(judged)


class SampleRecorder:
    """Keeps every response time and failure count per (method, name, class)."""

    def __init__(self) -> None:
        # array('d') stores floats unboxed: a million samples take 8 MB, not ~32 MB.
        self._times: dict[Key, array[float]] = {}
        self._failures: dict[Key, int] = {}

    def record(
        self,
        *,
        method: str,
        name: str,
        load_class: RequestClass,
        response_time_ms: float,
        failed: bool,
    ) -> None:
        """Add one request's raw response time."""
        key = (method.upper(), name, load_class)
        self._times.setdefault(key, array("d")).append(float(response_time_ms))
        if failed:
            self._failures[key] = self._failures.get(key, 0) + 1
        else:
            self._failures.setdefault(key, 0)

    def __len__(self) -> int:
        return sum(len(v) for v in self._times.values())

    def reset(self) -> None:
        """Forget everything (locust's --reset-stats after ramp-up)."""
        self._times.clear()
        self._failures.clear()

    def endpoints(self) -> list[EndpointSamples]:
        """The recorded samples as input for ``evaluate_run``."""
        return [
            EndpointSamples(
                name=name,
                method=method,
                load_class=load_class,
                response_times_ms=list(times),
                failures=self._failures.get((method, name, load_class), 0),
            )
            for (method, name, load_class), times in sorted(
                self._times.items(), key=lambda item: (item[0][2].value, item[0][1], item[0][0])
            )
        ]

    def drain(self) -> list[list[Any]]:
        """Hand over and forget the samples so far (a worker's report to the master)."""
        payload: list[list[Any]] = []
        for (method, name, load_class), times in self._times.items():
            failures = self._failures.get((method, name, load_class), 0)
            payload.append([method, name, load_class.value, list(times), failures])
        self.reset()
        return payload

    def merge(self, payload: Any) -> None:
        """Add a worker's drained samples; malformed payloads raise ValueError."""
        if not isinstance(payload, list):
            raise ValueError("sample payload must be a list")
        for row in payload:
            if not isinstance(row, list | tuple) or len(row) != _ROW_FIELDS:
                raise ValueError(f"malformed sample row: {row!r}")
            method, name, load_class, times, failures = row
            key = (str(method).upper(), str(name), RequestClass(load_class))
            if not isinstance(failures, int) or not 0 <= failures <= len(times):
                raise ValueError(f"malformed failure count in row for {name!r}")
            self._times.setdefault(key, array("d")).extend(float(t) for t in times)
            self._failures[key] = self._failures.get(key, 0) + failures
