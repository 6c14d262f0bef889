"""Unit tests of the load data fixture reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from loadtests.common.data import (
    ENV_VAR,
    CadetAccount,
    Credentials,
    LoadDataError,
    RoundRobin,
    load_data,
    parse_load_data,
)


def _doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "cadets": [
            {"username": "c1", "password": " pass with spaces ", "cadet_id": 11},
            {"username": "c2", "password": "pw2", "cadet_id": 12},
        ],
        "staff": [{"username": "s1", "password": "spw"}],
        "training_day_ids": [1, 2],
        "grade_ids": [7],
    }
    doc.update(overrides)
    return doc


def test_parses_a_complete_fixture() -> None:
    data = parse_load_data(_doc(cadet_ids=[11, 12, 13], roster_pages=4))

    assert data.cadets[0] == CadetAccount(Credentials("c1", " pass with spaces "), 11)
    assert data.staff == (Credentials("s1", "spw"),)
    assert data.training_day_ids == (1, 2)
    assert data.grade_ids == (7,)
    assert data.cadet_ids == (11, 12, 13)
    assert data.roster_pages == 4


def test_defaults_write_targets_and_pages_from_the_cadets() -> None:
    data = parse_load_data(_doc())

    assert data.cadet_ids == (11, 12)
    assert data.roster_pages == 1


def test_roster_pages_default_to_pages_of_100() -> None:
    assert parse_load_data(_doc(cadet_ids=list(range(1, 202)))).roster_pages == 3


def test_passwords_stay_out_of_repr() -> None:
    assert "spw" not in repr(Credentials("s1", "spw"))


def test_every_problem_is_reported_at_once() -> None:
    doc = _doc(
        cadets=[{"username": "", "password": "x", "cadet_id": 1}, {"username": "c", "cadet_id": 2}],
        staff=[],
        training_day_ids=["1"],
        roster_pages=0,
    )
    del doc["grade_ids"]

    with pytest.raises(LoadDataError) as caught:
        parse_load_data(doc)

    message = str(caught.value)
    for problem in (
        "cadets[0].username",
        "cadets[1].password",
        "staff: must be a non-empty list",
        "training_day_ids: must be a list of integer ids",
        "grade_ids: missing",
        "roster_pages: must be a positive integer",
    ):
        assert problem in message


def test_bool_is_not_an_id() -> None:
    with pytest.raises(LoadDataError, match="grade_ids"):
        parse_load_data(_doc(grade_ids=[True]))


def test_document_must_be_an_object() -> None:
    with pytest.raises(LoadDataError, match="JSON object"):
        parse_load_data([])


def test_reads_the_file_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = tmp_path / "load-data.json"
    fixture.write_text(json.dumps(_doc()), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(fixture))

    assert load_data().staff[0].username == "s1"


def test_missing_variable_says_which_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)

    with pytest.raises(LoadDataError, match=ENV_VAR):
        load_data()


def test_missing_file_and_bad_json_are_load_data_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadDataError, match="does not exist"):
        load_data(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(LoadDataError, match="not valid JSON"):
        load_data(broken)


def test_round_robin_cycles_from_its_start() -> None:
    picker = RoundRobin(["a", "b", "c"], start=4)

    assert [picker.next() for _ in range(4)] == ["b", "c", "a", "b"]


def test_round_robin_needs_items() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RoundRobin([])
