import pytest

from rgms.preferences.keys import SYSTEM_SETTINGS, parse_stored, to_stored


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("false", False), ("0", False), (None, False)],
)
def test_booleans_read_the_legacy_spellings(raw: str | None, expected: bool) -> None:
    # given the dark mode default (built-in false)
    spec = SYSTEM_SETTINGS["dark_mode_default"]
    # when a stored text is read
    # then it is the boolean it spells
    assert parse_stored(spec, raw) is expected


def test_an_unreadable_boolean_falls_back_to_the_default() -> None:
    # given a stored value that spells no boolean
    spec = SYSTEM_SETTINGS["email_alerts_default"]
    # when it is read, then the built-in default answers
    assert parse_stored(spec, "maybe") is True


def test_values_round_trip() -> None:
    # given every known key and a value of its type
    samples = {"bool": False, "url": "https://sheets.example.org/x", "color": "#123abc"}
    for spec in SYSTEM_SETTINGS.values():
        value = samples[spec.kind]
        # when it is stored and read back
        # then it is the same value
        assert parse_stored(spec, to_stored(spec, value)) == value
