"""Failure counters in the Django cache (Redis in production): the login brute-force limit and
the password-reset request limit.

Login (MISSION C): at most ``LOGIN_FAILURE_LIMIT_PER_USERNAME`` failed attempts per
(client IP, account) and ``LOGIN_FAILURE_LIMIT_PER_IP`` per client IP within
``LOGIN_FAILURE_WINDOW_SECONDS``; past either, every attempt is answered 429 with Retry-After,
even with the right password, until the window (which opens at the first failure) closes.
Successful logins are never counted. Each counter is a fixed window: a start time and a count
under two keys with the window as their time-to-live; ``incr`` is atomic in Redis and keeps
the key's expiry, so concurrent attempts cannot slip past the limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_PREFIX = "rgms:auth"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _digest(*parts: str) -> str:
    """Fixed-length key material: cache keys must not carry raw user input."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:40]


@dataclass(frozen=True)
class Window:
    """One fixed-window counter."""

    key: str
    limit: int
    seconds: int

    def _keys(self) -> tuple[str, str]:
        return f"{_PREFIX}:{self.key}:start", f"{_PREFIX}:{self.key}:count"

    def count(self, now: float) -> tuple[int, float]:
        """(failures in the current window, seconds until it closes)."""
        start_key, count_key = self._keys()
        values = cache.get_many([start_key, count_key])
        start, count = values.get(start_key), values.get(count_key)
        if start is None or count is None or now - float(start) >= self.seconds:
            return 0, 0.0
        return int(count), float(start) + self.seconds - now

    def retry_after(self, now: float) -> int:
        """Seconds to wait when the limit is reached, else 0."""
        count, remaining = self.count(now)
        if count >= self.limit:
            return max(1, math.ceil(remaining))
        return 0

    def hit(self, now: float) -> int:
        """Count one more event; the count in the current window."""
        start_key, count_key = self._keys()
        start = cache.get(start_key)
        if start is not None and now - float(start) >= self.seconds:
            # The window is over but its keys have not expired yet (clock skew, tests).
            cache.delete_many([start_key, count_key])
            start = None
        if start is None:
            # add() is atomic (SET NX): of concurrent first failures, one opens the window.
            if cache.add(start_key, now, timeout=self.seconds):
                start = now
            else:
                start = cache.get(start_key, now)
        remaining = max(1, math.ceil(float(start) + self.seconds - now))
        cache.add(count_key, 0, timeout=remaining)
        try:
            return int(cache.incr(count_key))
        except ValueError:  # the count expired between the two calls
            cache.set(count_key, 1, timeout=remaining)
            return 1

    def clear(self) -> None:
        cache.delete_many(list(self._keys()))


def _window_seconds() -> int:
    return _setting("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)


def login_subject_window(*, ip: str | None, subject: str) -> Window:
    """Failures of one account (or one unknown name) from one client IP."""
    return Window(
        key=f"login:pair:{_digest(ip or '-', subject)}",
        limit=_setting("LOGIN_FAILURE_LIMIT_PER_USERNAME", 5),
        seconds=_window_seconds(),
    )


def login_ip_window(*, ip: str | None) -> Window:
    """All failures from one client IP (a campus NAT address carries thousands of cadets)."""
    return Window(
        key=f"login:ip:{_digest(ip or '-')}",
        limit=_setting("LOGIN_FAILURE_LIMIT_PER_IP", 300),
        seconds=_window_seconds(),
    )


@dataclass(frozen=True)
class Lockout:
    scope: str  # "username" or "ip"
    retry_after: int


def login_lockout(*, ip: str | None, subject: str, now: float | None = None) -> Lockout | None:
    """The lockout in force for this (IP, subject), or None when an attempt may proceed."""
    now = time.time() if now is None else now
    pair = login_subject_window(ip=ip, subject=subject).retry_after(now)
    per_ip = login_ip_window(ip=ip).retry_after(now)
    if not pair and not per_ip:
        return None
    if pair >= per_ip:
        return Lockout(scope="username", retry_after=pair)
    return Lockout(scope="ip", retry_after=per_ip)


@dataclass(frozen=True)
class FailureCount:
    subject_failures: int
    ip_failures: int
    # The limits this failure just reached (a lockout begins), for the audit log.
    subject_locked_now: bool
    ip_locked_now: bool


def login_failure_record(*, ip: str | None, subject: str, now: float | None = None) -> FailureCount:
    now = time.time() if now is None else now
    pair_window = login_subject_window(ip=ip, subject=subject)
    ip_window = login_ip_window(ip=ip)
    pair = pair_window.hit(now)
    per_ip = ip_window.hit(now)
    return FailureCount(
        subject_failures=pair,
        ip_failures=per_ip,
        subject_locked_now=pair == pair_window.limit,
        ip_locked_now=per_ip == ip_window.limit,
    )


def login_failures_clear(*, ip: str | None, subject: str) -> None:
    """Forget an account's failures from this IP once its owner proved the password. The
    per-IP count is kept: logging into one's own account must not reset an attacker's budget."""
    login_subject_window(ip=ip, subject=subject).clear()


def password_reset_request_allowed(*, ip: str | None, identifier: str) -> bool:
    """Count a reset request; False once the identifier or the IP asked too often this hour
    (the caller still answers 202 but sends nothing: no mailbox bombing, no enumeration)."""
    now = time.time()
    per_identifier = Window(
        key=f"reset:id:{_digest(identifier.casefold())}",
        limit=_setting("PASSWORD_RESET_REQUEST_LIMIT_PER_IDENTIFIER", 3),
        seconds=3600,
    )
    per_ip = Window(
        key=f"reset:ip:{_digest(ip or '-')}",
        limit=_setting("PASSWORD_RESET_REQUEST_LIMIT_PER_IP", 300),
        seconds=3600,
    )
    allowed = not per_identifier.retry_after(now) and not per_ip.retry_after(now)
    if allowed:
        per_identifier.hit(now)
        per_ip.hit(now)
    return allowed
