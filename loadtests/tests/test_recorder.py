"""Unit tests of raw-sample recording, request classification and the worker -> master payload."""

from __future__ import annotations

import pytest

from loadtests.common.recorder import SampleRecorder, classify, judged_classes_of
from loadtests.common.thresholds import RequestClass

READ, WRITE = RequestClass.READ, RequestClass.WRITE


@pytest.mark.parametrize(
    ("method", "expected"),
    [("GET", READ), ("get", READ), ("HEAD", READ), ("POST", WRITE), ("PATCH", WRITE)],
)
def test_untagged_requests_are_classified_by_method(method: str, expected: RequestClass) -> None:
    assert classify(method) is expected
    assert classify(method, {}) is expected


def test_explicit_tag_wins_over_method() -> None:
    assert classify("POST", {"load_class": "read"}) is READ
    assert classify("GET", {"load_class": "write"}) is WRITE


def test_unknown_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="bogus"):
        classify("GET", {"load_class": "bogus"})


def test_raw_times_are_kept_unrounded_per_endpoint_and_class() -> None:
    # given two endpoints, one response time locust would bucket as 2000
    recorder = SampleRecorder()
    recorder.record(
        method="post", name="/w", load_class=WRITE, response_time_ms=2050.4, failed=False
    )
    recorder.record(method="POST", name="/w", load_class=WRITE, response_time_ms=10.0, failed=True)
    recorder.record(method="GET", name="/r", load_class=READ, response_time_ms=1.25, failed=False)

    # when read back
    rows = {(r.method, r.name): r for r in recorder.endpoints()}

    # then every value is there as measured, with its failure count
    assert list(rows["POST", "/w"].response_times_ms) == [2050.4, 10.0]
    assert rows["POST", "/w"].failures == 1
    assert rows["POST", "/w"].load_class is WRITE
    assert list(rows["GET", "/r"].response_times_ms) == [1.25]
    assert rows["GET", "/r"].failures == 0
    assert len(recorder) == 3


def test_same_name_in_two_classes_stays_apart() -> None:
    recorder = SampleRecorder()
    recorder.record(method="POST", name="/x", load_class=READ, response_time_ms=1, failed=False)
    recorder.record(method="POST", name="/x", load_class=WRITE, response_time_ms=2, failed=False)

    assert sorted(r.load_class for r in recorder.endpoints()) == [READ, WRITE]


def test_drain_and_merge_carry_every_sample_to_the_master() -> None:
    # given a worker with samples and a master with its own
    worker, master = SampleRecorder(), SampleRecorder()
    worker.record(method="GET", name="/r", load_class=READ, response_time_ms=5.5, failed=True)
    worker.record(method="GET", name="/r", load_class=READ, response_time_ms=7.0, failed=False)
    master.record(method="GET", name="/r", load_class=READ, response_time_ms=1.0, failed=False)

    # when the worker reports twice (the second time with nothing new)
    master.merge(worker.drain())
    master.merge(worker.drain())

    # then the master holds each sample once and the worker is empty
    (row,) = master.endpoints()
    assert sorted(row.response_times_ms) == [1.0, 5.5, 7.0]
    assert row.failures == 1
    assert len(worker) == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"not": "a list"},
        [["GET", "/r", "read", [1.0]]],
        [["GET", "/r", "sideways", [1.0], 0]],
        [["GET", "/r", "read", [1.0], 2]],
        [["GET", "/r", "read", [1.0], "0"]],
    ],
)
def test_malformed_worker_payload_is_refused(payload: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several messages, one contract
        SampleRecorder().merge(payload)


def test_reset_forgets_everything() -> None:
    recorder = SampleRecorder()
    recorder.record(method="GET", name="/r", load_class=READ, response_time_ms=1, failed=True)

    recorder.reset()

    assert recorder.endpoints() == []


def test_judged_classes_come_from_user_classes() -> None:
    class Reader:
        load_classes = (READ,)

    class Writer:
        load_classes = ("write",)

    class Other:
        pass

    assert judged_classes_of([Reader]) == {READ}
    assert judged_classes_of([Reader, Writer, Other]) == {READ, WRITE}
    assert judged_classes_of([Other]) == frozenset()
