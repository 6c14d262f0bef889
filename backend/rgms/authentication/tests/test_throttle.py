"""The fixed-window failure counters behind the login limit (time given explicitly)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from rgms.authentication import throttle


def test_window_counts_and_closes() -> None:
    window = throttle.Window(key="t", limit=3, seconds=100)
    assert window.count(1000.0) == (0, 0.0)
    assert [window.hit(1000.0 + n) for n in range(3)] == [1, 2, 3]
    assert window.retry_after(1050.0) == 50
    assert window.retry_after(1099.5) == 1
    assert window.retry_after(1100.0) == 0  # the window opened at 1000 is over
    assert window.hit(1100.0) == 1  # and a new one starts


def test_window_below_limit_has_no_wait() -> None:
    window = throttle.Window(key="t2", limit=3, seconds=100)
    window.hit(0.0)
    window.hit(1.0)
    assert window.retry_after(2.0) == 0


def test_keys_do_not_carry_raw_input() -> None:
    window = throttle.login_subject_window(ip="1.2.3.4", subject="name:evil key\n with spaces")
    assert " " not in window.key
    assert "\n" not in window.key


def test_lockout_reports_the_binding_scope(settings) -> None:
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3
    ip = "192.0.2.1"
    throttle.login_failure_record(ip=ip, subject="user:1", now=0.0)
    counted = throttle.login_failure_record(ip=ip, subject="user:1", now=1.0)
    assert counted.subject_locked_now
    assert throttle.login_lockout(ip=ip, subject="user:1", now=2.0).scope == "username"
    assert throttle.login_lockout(ip=ip, subject="user:2", now=2.0) is None
    counted = throttle.login_failure_record(ip=ip, subject="user:3", now=3.0)
    assert counted.ip_locked_now
    lockout = throttle.login_lockout(ip=ip, subject="user:2", now=4.0)
    assert lockout.scope == "ip"
    assert lockout.retry_after == 15 * 60 - 4


@pytest.mark.needs_redis
def test_counts_are_exact_under_concurrency_in_redis(settings, redis_url: str) -> None:
    # given the production cache backend
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"rgms-throttle-test-{uuid.uuid4().hex}",
        }
    }
    window = throttle.Window(key="concurrent", limit=1000, seconds=60)
    now = time.time()
    # when 40 failures arrive at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(pool.map(lambda _: window.hit(now), range(40)))
    # then every one was counted once, and the keys expire with the window
    assert counts == list(range(1, 41))
    assert window.count(now)[0] == 40
    assert 0 < cache.ttl(f"rgms:auth:{window.key}:count") <= 60
    window.clear()
