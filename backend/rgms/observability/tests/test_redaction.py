"""The one list of sensitive names and the two scrubbers (logs and Sentry share them)."""

from __future__ import annotations

import pytest

from rgms.observability.redaction import REDACTED, is_sensitive_key, redact, redact_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXBhcnQ"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "oldPassword",
        "password1",
        "token",
        "access",
        "refresh",
        "refresh_token",
        "secret",
        "SECRET_KEY",
        "Authorization",
        "HTTP_AUTHORIZATION",
        "Cookie",
        "api_key",
        "X-CSRFToken",
        "sessionid",
    ],
)
def test_sensitive_keys(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", ["username", "status", "route", "user_id", "message", "role"])
def test_ordinary_keys(key: str) -> None:
    assert not is_sensitive_key(key)


def test_redacts_values_of_sensitive_keys_at_any_depth() -> None:
    # given a login body nested in an event-like structure
    event = {
        "request": {"data": {"username": "cadet7", "password": "correct horse battery"}},
        "extra": [{"refresh": JWT, "count": 3}],
        "headers": {"Authorization": f"Bearer {JWT}", "Accept": "application/json"},
    }
    # when it is redacted
    clean = redact(event)
    # then only the secrets are gone
    assert clean["request"]["data"] == {"username": "cadet7", "password": REDACTED}
    assert clean["extra"] == [{"refresh": REDACTED, "count": 3}]
    assert clean["headers"] == {"Authorization": REDACTED, "Accept": "application/json"}
    assert "correct horse" not in repr(clean)
    assert JWT not in repr(clean)
    # and the input is untouched
    assert event["request"]["data"]["password"] == "correct horse battery"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("login with password=hunter2 failed", "hunter2"),
        ('body {"password": "s3cret pass", "username": "a"}', "s3cret pass"),
        ("Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"),
        (f"token {JWT} rejected", JWT),
        (f"got {JWT}", JWT),
        ("redis://:p4ssw0rd@redis.internal:6379/0", "p4ssw0rd"),
        ("postgresql://rgms:dbpass@db/rgms", "dbpass"),
        ("refresh=abc.def.ghi&x=1", "abc.def.ghi"),
    ],
)
def test_redacts_credentials_in_free_text(text: str, secret: str) -> None:
    assert secret not in redact_text(text)
    assert REDACTED in redact_text(text)


def test_leaves_ordinary_text_alone() -> None:
    text = "GET /api/v1/cadets/<pk>/ 200 12.5ms user 7"
    assert redact_text(text) == text
