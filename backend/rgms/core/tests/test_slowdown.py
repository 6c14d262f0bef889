"""The test-only response delay: honoured under the test settings with a delay set, else absent."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from rgms.core.slowdown import ResponseDelayMiddleware


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_absent_without_delays(settings: pytest.FixtureRequest) -> None:
    settings.TEST_RESPONSE_DELAYS = {}
    with pytest.raises(MiddlewareNotUsed):
        ResponseDelayMiddleware(_ok)


def test_absent_outside_the_test_environment(settings: pytest.FixtureRequest) -> None:
    # given a delay configured, but settings that are not the test settings
    settings.TEST_RESPONSE_DELAYS = {"/api/v1/auth/me": 0.5}
    settings.ENVIRONMENT = "production"
    # then the middleware refuses to be installed
    with pytest.raises(MiddlewareNotUsed):
        ResponseDelayMiddleware(_ok)


def test_delays_only_the_listed_path(settings: pytest.FixtureRequest) -> None:
    settings.TEST_RESPONSE_DELAYS = {"/slow": 0.2}
    middleware = ResponseDelayMiddleware(_ok)
    factory = RequestFactory()

    started = time.monotonic()
    assert middleware(factory.get("/slow")).status_code == 200
    slowed = time.monotonic() - started
    started = time.monotonic()
    middleware(factory.get("/fast"))
    fast = time.monotonic() - started

    assert slowed >= 0.2
    assert fast < 0.2


def test_the_test_settings_install_it_and_production_does_not() -> None:
    from config.settings import test

    assert "rgms.core.slowdown.ResponseDelayMiddleware" in test.MIDDLEWARE
    assert test.TEST_RESPONSE_DELAYS == {}
    production = Path(test.__file__).with_name("production.py").read_text()
    base = Path(test.__file__).with_name("base.py").read_text()
    assert "slowdown" not in production
    assert "slowdown" not in base
