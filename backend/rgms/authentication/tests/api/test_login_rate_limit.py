"""The login brute-force limit: 5 failures per 15 minutes per (client IP, account), a per-IP
ceiling, successful logins not counted, the client IP taken from Render's appended entry.
Time is moved with time-machine, never slept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rgms.audit.models import AuditLog
from rgms.users.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
WRONG = "not my password"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def cadet(make_user: Callable) -> str:
    make_user(Role.CADET, username="cadet-a")
    return "cadet-a"


def fail(login: Callable, username: str, times: int, **kwargs: str) -> None:
    for _ in range(times):
        assert login(username, WRONG, **kwargs).status_code == 401


def test_sixth_attempt_is_429_even_with_the_right_password(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given five failures within the window
    fail(login, cadet, 5)
    clock.shift(timedelta(minutes=10))
    # when the sixth attempt carries the right password
    response = login(cadet, PASSWORD)
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert "access" not in response.json()
    assert int(response.headers["Retry-After"]) == 5 * 60


def test_window_expiry_restores_access(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given a locked pair
    fail(login, cadet, 5)
    assert login(cadet, PASSWORD).status_code == 429
    # when the window (opened by the first failure) closes
    clock.shift(timedelta(minutes=15))
    # then
    assert login(cadet, PASSWORD).status_code == 200


def test_other_ips_and_usernames_are_unaffected(
    login: Callable, cadet: str, make_user: Callable, clock: time_machine.Coordinates
) -> None:
    # given a locked (IP, account) pair
    make_user(Role.CADET, username="cadet-b")
    fail(login, cadet, 5, ip="198.51.100.7")
    assert login(cadet, PASSWORD, ip="198.51.100.7").status_code == 429
    # then the same account from another IP, and another account from the same IP, log in
    assert login(cadet, PASSWORD, ip="198.51.100.8").status_code == 200
    assert login("cadet-b", PASSWORD, ip="198.51.100.7").status_code == 200


def test_forged_first_forwarded_entry_does_not_change_the_counted_ip(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given failures from one real client that forges a new first X-Forwarded-For entry each time
    for n in range(5):
        forged = f"10.9.8.{n}, 198.51.100.7"  # Render appended the real address last
        assert login(cadet, WRONG, forwarded_for=forged).status_code == 401
    # when it forges yet another entry
    response = login(cadet, PASSWORD, forwarded_for="192.0.2.99, 198.51.100.7")
    # then it is still the same, locked, client
    assert response.status_code == 429
    audit_ips = set(
        AuditLog.objects.filter(operation="login_failed").values_list("ip_address", flat=True)
    )
    assert audit_ips == {"198.51.100.7"}


def test_successful_logins_are_not_counted(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given many successful logins
    for _ in range(20):
        assert login(cadet, PASSWORD).status_code == 200
    # then four failures still leave room for a fifth attempt and a success
    fail(login, cadet, 4)
    assert login(cadet, PASSWORD).status_code == 200


def test_success_forgets_the_pair_failures(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given four failures and then the right password
    fail(login, cadet, 4)
    assert login(cadet, PASSWORD).status_code == 200
    # then a typo afterwards starts from zero
    fail(login, cadet, 4)
    assert login(cadet, PASSWORD).status_code == 200


def test_unknown_usernames_are_limited_too(
    login: Callable, clock: time_machine.Coordinates
) -> None:
    fail(login, "nobody-here", 5)
    assert login("nobody-here", WRONG).status_code == 429


def test_email_and_username_of_one_account_share_a_counter(
    login: Callable, make_user: Callable, clock: time_machine.Coordinates
) -> None:
    make_user(Role.CADET, username="both", email="both@example.edu")
    fail(login, "both", 3)
    fail(login, "both@example.edu", 2)
    assert login("both", PASSWORD).status_code == 429


def test_per_ip_ceiling_covers_every_username(
    login: Callable, make_user: Callable, settings, clock: time_machine.Coordinates
) -> None:
    # given a ceiling of 12 failures per IP (300 in production) spread over many names
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 12
    make_user(Role.CADET, username="innocent")
    for n in range(12):
        assert login(f"sprayed-{n}", WRONG, ip="192.0.2.10").status_code == 401
    # then every login from that IP waits, even a correct one for an untouched account
    response = login("innocent", PASSWORD, ip="192.0.2.10")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 15 * 60
    # and other IPs are unaffected
    assert login("innocent", PASSWORD, ip="192.0.2.11").status_code == 200
    # and the window's end lifts it
    clock.shift(timedelta(minutes=15))
    assert login("innocent", PASSWORD, ip="192.0.2.10").status_code == 200


def test_campus_behind_one_nat_is_not_locked_by_ordinary_typos(
    login: Callable, make_user: Callable, clock: time_machine.Coordinates
) -> None:
    # given 100 cadets behind one address, each mistyping once before logging in
    for n in range(100):
        make_user(Role.CADET, username=f"nat-{n}")
    for n in range(100):
        assert login(f"nat-{n}", WRONG, ip="203.0.113.1").status_code == 401
        assert login(f"nat-{n}", PASSWORD, ip="203.0.113.1").status_code == 200


def test_lockouts_are_audited_once_with_ip_and_username(
    login: Callable, cadet: str, clock: time_machine.Coordinates
) -> None:
    # given
    fail(login, cadet, 5, ip="198.51.100.42")
    for _ in range(3):
        assert login(cadet, PASSWORD, ip="198.51.100.42").status_code == 429
    # then
    locked = AuditLog.objects.filter(operation="login_locked")
    assert locked.count() == 1
    entry = locked.get()
    assert entry.table_name == "auth"
    assert entry.ip_address == "198.51.100.42"
    assert entry.payload["username"] == cadet
    assert entry.payload["scope"] == "username"
    assert entry.created_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert AuditLog.objects.filter(operation="login_failed").count() == 5
