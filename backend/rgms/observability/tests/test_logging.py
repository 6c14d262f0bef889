"""JSON log lines: fields, request context, stack traces, and no secret ever written."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from config.logging import JsonFormatter, detect_service, logging_config
from rgms.observability import context
from rgms.users.models import Role

logger = logging.getLogger("rgms.tests.logging")


def test_line_has_the_documented_fields(json_log) -> None:
    # given a request id and a user in the context
    id_token = context.set_request_id("req-12345678")
    user_token = context.set_user_id(42)
    try:
        # when something is logged
        logger.info("hello %s", "world", extra={"records": 3})
    finally:
        context.reset_user_id(user_token)
        context.reset_request_id(id_token)
    # then the line is one JSON object with every field
    [line] = json_log.find(lambda line: line["logger"] == "rgms.tests.logging")
    assert line["message"] == "hello world"
    assert line["level"] == "INFO"
    assert line["service"] == "web"
    assert line["request_id"] == "req-12345678"
    assert line["user_id"] == 42
    assert line["records"] == 3
    assert line["timestamp"].endswith("+00:00")
    assert "T" in line["timestamp"]


def test_errors_carry_the_stack_trace(json_log) -> None:
    # when an exception is logged
    try:
        raise ValueError("broken on purpose")
    except ValueError:
        logger.exception("it failed")
    # then its traceback is in the line
    [line] = json_log.find(lambda line: line["logger"] == "rgms.tests.logging")
    assert line["level"] == "ERROR"
    assert "Traceback (most recent call last)" in line["exception"]
    assert "ValueError: broken on purpose" in line["exception"]
    assert "test_errors_carry_the_stack_trace" in line["exception"]


def test_secrets_in_messages_and_extras_are_redacted(json_log) -> None:
    # when careless code logs a secret in the message and in extra
    logger.warning(
        "login password=%s for %s", "hunter2hunter2", "cadet", extra={"token": "abc123abc123"}
    )
    # then neither reaches the output
    assert "hunter2hunter2" not in json_log.text
    assert "abc123abc123" not in json_log.text
    [line] = json_log.find(lambda line: line["logger"] == "rgms.tests.logging")
    assert line["token"] == "[REDACTED]"


def test_unserialisable_extras_are_left_out(json_log) -> None:
    # given an extra that is an object (Django passes the request this way)
    logger.error("oops", extra={"request": object(), "status_code": 500})
    [line] = json_log.find(lambda line: line["logger"] == "rgms.tests.logging")
    assert "request" not in line
    assert line["status_code"] == 500


@pytest.mark.parametrize(
    ("argv", "service"),
    [
        (["/venv/bin/gunicorn", "config.wsgi:application"], "web"),
        (["/venv/bin/daphne", "-b", "127.0.0.1", "config.asgi:application"], "channels"),
        (["/venv/bin/celery", "-A", "config", "worker", "-l", "info"], "worker"),
        (["/venv/bin/celery", "-A", "config", "beat"], "beat"),
        (["/venv/lib/site-packages/celery/__main__.py", "-A", "config", "-q", "worker"], "worker"),
        (["/venv/lib/site-packages/celery/__main__.py", "-A", "config", "beat"], "beat"),
        (["/venv/lib/site-packages/daphne/__main__.py", "config.asgi:application"], "channels"),
        (["/venv/lib/site-packages/gunicorn/__main__.py", "config.wsgi:application"], "web"),
        (["manage.py", "migrate"], "web"),
    ],
)
def test_service_is_detected_from_the_command_line(argv: list[str], service: str) -> None:
    assert detect_service(argv) == service


def test_config_sends_every_logger_to_one_json_handler() -> None:
    config = logging_config(service="worker", level="INFO")
    assert config["root"]["handlers"] == ["stdout"]
    assert config["handlers"]["stdout"]["formatter"] == "json"
    assert config["formatters"]["json"]["()"] is JsonFormatter
    # Django's and gunicorn's own handlers are replaced by propagation to root
    for name in ("django", "gunicorn.error"):
        assert config["loggers"][name]["handlers"] == []
        assert config["loggers"][name]["propagate"] is True


@pytest.mark.django_db
def test_login_password_appears_in_no_log_output(json_log, make_user, caplog) -> None:
    # given an account and every logger at DEBUG
    password = "Very Secret Pass 1234!"
    user = make_user(Role.CADET, username="logcadet")
    user.set_password(password)
    user.save()
    caplog.set_level(logging.DEBUG)
    client = Client()
    # when someone logs in with the password, then with a wrong one, then with it as username
    ok = client.post(
        "/api/v1/auth/login",
        data=json.dumps({"username": "logcadet", "password": password}),
        content_type="application/json",
    )
    bad = client.post(
        "/api/v1/auth/login",
        data=json.dumps({"username": "logcadet", "password": password + "x"}),
        content_type="application/json",
    )
    client.post(
        "/api/v1/auth/login",
        data=f"username=logcadet&password={password}",
        content_type="application/x-www-form-urlencoded",
    )
    # then the requests were served and logged
    assert ok.status_code == 200, ok.content
    assert bad.status_code == 401
    assert json_log.find(lambda line: line["logger"] == "rgms.request")
    # and the password is in no formatted line nor in any record's text
    assert password not in json_log.text
    assert password.replace(" ", "+") not in json_log.text
    assert all(password not in record.getMessage() for record in caplog.records)
    # nor are the tokens that were issued
    assert ok.json()["access"] not in json_log.text
    assert ok.json()["refresh"] not in json_log.text
