"""What Sentry receives: no secrets, and the service tag (end to end: verification's
test_sentry_standin.py)."""

from __future__ import annotations

from config.sentry import _scrub_breadcrumb, _with_service, scrub

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXBhcnQ"


def _event() -> dict:
    return {
        "message": f"login failed password=hunter2hunter2 token {JWT}",
        "request": {
            "url": "https://api.example.edu/api/v1/auth/login",
            "headers": {"Authorization": f"Bearer {JWT}", "Cookie": "sessionid=abc"},
            "data": {"username": "cadet", "password": "hunter2hunter2"},
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "auth_login",
                                "vars": {"password": "hunter2hunter2", "refresh": JWT, "n": 1},
                            }
                        ]
                    },
                }
            ]
        },
        "extra": {"celery-job": {"kwargs": {"new_password": "hunter2hunter2"}}},
    }


def test_scrub_removes_secrets_everywhere() -> None:
    text = repr(scrub(_event()))
    assert "hunter2hunter2" not in text
    assert JWT not in text
    assert "sessionid=abc" not in text


def test_scrub_keeps_what_helps() -> None:
    clean = scrub(_event())
    assert clean["request"]["data"]["username"] == "cadet"
    assert clean["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["n"] == 1
    assert clean["request"]["url"].endswith("/api/v1/auth/login")


def test_every_event_is_tagged_with_the_service() -> None:
    event = _with_service("worker")({"tags": {"alert": "x"}})
    assert event["tags"] == {"alert": "x", "service": "worker"}
    assert _with_service("beat")({})["tags"] == {"service": "beat"}


def test_breadcrumbs_are_scrubbed() -> None:
    crumb = {"category": "query", "message": "password=abcdefgh", "data": {"token": "t" * 20}}
    clean = _scrub_breadcrumb(crumb)
    assert "abcdefgh" not in repr(clean)
    assert "t" * 20 not in repr(clean)
