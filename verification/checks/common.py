"""What every check shares: bounded HTTP, logging in, timing, and exceptions as ERROR results."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import requests

from verification.gate import CheckResult, CheckStatus
from verification.targets.base import Target

HTTP_TIMEOUT_S: Final = 15.0


@dataclass
class Session:
    """A logged-in user: the access token minted by web, and the user it names."""

    key: str
    access: str
    refresh: str
    user: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    @property
    def user_id(self) -> int:
        return int(self.user["id"])


class CheckFailed(Exception):
    """The target answered, wrongly: the check FAILs with this message and evidence."""

    def __init__(self, message: str, **evidence: Any) -> None:
        super().__init__(message)
        self.evidence = evidence


class CheckSkipped(Exception):
    """The check cannot run against this target (the reason says why)."""


def http(method: str, url: str, **kwargs: Any) -> requests.Response:
    timeout = kwargs.pop("timeout", HTTP_TIMEOUT_S)
    return requests.request(method, url, timeout=timeout, **kwargs)


def login(target: Target, key: str) -> Session:
    """Log in through web's real endpoint; CheckSkipped when the target has no such account."""
    account = target.account(key)
    if account is None:
        raise CheckSkipped(f"the target has no {key} account (accounts file)")
    response = http(
        "POST",
        f"{target.web_url}/api/v1/auth/login",
        json={"username": account.username, "password": account.password},
    )
    if response.status_code != 200:
        raise CheckFailed(
            f"login as {key} answered {response.status_code}",
            status=response.status_code,
            body=response.text[:500],
        )
    body = response.json()
    return Session(key, body["access"], body["refresh"], body["user"])


@dataclass
class Timer:
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def ms(self) -> float:
        return round(self.seconds * 1000, 1)


def run_check(
    name: str,
    body: Callable[[], tuple[dict[str, Any], int | None]],
    *,
    critical: bool = False,
    threshold: str | None = None,
    limitation: str | None = None,
) -> CheckResult:
    """Run ``body`` (returning evidence and n) as check ``name``: PASS when it returns,
    FAIL on CheckFailed, SKIP on CheckSkipped or a declared limitation, ERROR on anything else
    (the harness broke: nothing is known about the target)."""
    if limitation:
        return CheckResult(
            name, CheckStatus.SKIP, critical, {"reason": limitation}, threshold=threshold
        )
    timer = Timer()
    try:
        evidence, n = body()
    except CheckFailed as exc:
        evidence = {"reason": str(exc), **exc.evidence}
        return CheckResult(
            name, CheckStatus.FAIL, critical, evidence, timer.seconds, None, threshold
        )
    except CheckSkipped as exc:
        return CheckResult(
            name, CheckStatus.SKIP, critical, {"reason": str(exc)}, timer.seconds, None, threshold
        )
    except requests.RequestException as exc:
        # The target did not answer (refused, timed out): a failure of the target.
        evidence = {"reason": f"no answer: {type(exc).__name__}: {exc}"}
        return CheckResult(
            name, CheckStatus.FAIL, critical, evidence, timer.seconds, None, threshold
        )
    except Exception as exc:
        evidence = {
            "reason": f"harness error: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=6)[-3000:],
        }
        return CheckResult(
            name, CheckStatus.ERROR, critical, evidence, timer.seconds, None, threshold
        )
    return CheckResult(name, CheckStatus.PASS, critical, evidence, timer.seconds, n, threshold)


@contextmanager
def deadline(seconds: float) -> Iterator[Callable[[], float]]:
    """``with deadline(10) as left: while left() > 0: ...``"""
    end = time.monotonic() + seconds
    yield lambda: end - time.monotonic()


def poll(probe: Callable[[], Any], *, timeout: float, interval: float = 0.25) -> tuple[Any, float]:
    """Call ``probe`` until it returns something truthy or ``timeout`` passes; returns the last
    value and the seconds waited."""
    started = time.monotonic()
    value = probe()
    while not value and time.monotonic() - started < timeout:
        time.sleep(interval)
        value = probe()
    return value, time.monotonic() - started
