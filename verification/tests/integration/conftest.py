"""The target-agnostic suite: the same tests against local processes or staging.

Target selection (``-m target`` selects the suite's tests; other integration modules start
their own processes):

* ``--target-url`` (or VERIFY_TARGET_URL): web's base URL; ``--ws-url`` (VERIFY_WS_URL): the
  channels service (ws:// or wss://), default the target URL; ``--accounts``
  (VERIFY_ACCOUNTS_FILE): JSON ``{"admin"|"staff"|"cadet"|"other_cadet": {username,
  password}}``; ``--broker-url`` (VERIFY_BROKER_URL), optional.
* none given: a local stack for the session (verification.targets.local): a fresh database,
  migrated and seeded with one account per role, a leased Redis database, gunicorn, daphne
  and a Celery worker on 127.0.0.1 (PostgreSQL and Redis from the root conftest).

Every test is bounded (pytest-timeout, ``SUITE_TEST_TIMEOUT_S``); tests marked ``critical``
are critical checks when deploy-verify runs the suite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from verification.targets.base import Account, Target, read_accounts

SUITE_TEST_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 15


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rgms target", "the target of the integration suite")
    group.addoption("--target-url", default=os.environ.get("VERIFY_TARGET_URL"))
    group.addoption("--ws-url", default=os.environ.get("VERIFY_WS_URL"))
    group.addoption("--accounts", default=os.environ.get("VERIFY_ACCOUNTS_FILE"))
    group.addoption("--broker-url", default=os.environ.get("VERIFY_BROKER_URL"))
    group.addoption(
        "--no-channel-layer",
        default=os.environ.get("VERIFY_NO_CHANNEL_LAYER"),
        metavar="REASON",
        help="the target has no cross-process channel layer (no Redis): skip the tests that "
        "need web to reach channels' sockets, with this reason",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "target: the target-agnostic suite (runs against --target-url or a local stack)"
    )
    config.addinivalue_line(
        "markers", "critical: a failure of this test is a critical check in deploy-verify"
    )
    config.addinivalue_line(
        "markers",
        "needs_channel_layer: web must reach channels' sockets (skipped with --no-channel-layer)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    no_layer = config.getoption("--no-channel-layer")
    for item in items:
        if item.get_closest_marker("target") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SUITE_TEST_TIMEOUT_S))
        if no_layer and item.get_closest_marker("needs_channel_layer"):
            item.add_marker(pytest.mark.skip(reason=f"not on this target: {no_layer}"))


@pytest.fixture(scope="session")
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    url = request.config.getoption("--target-url")
    if url:
        accounts_file = request.config.getoption("--accounts")
        if not accounts_file:
            pytest.fail("--target-url needs --accounts (a JSON file with one account per role)")
        ws = request.config.getoption("--ws-url") or url.replace("http", "ws", 1)
        yield Target(
            kind="remote",
            web_url=url.rstrip("/"),
            ws_url=ws.rstrip("/"),
            accounts=read_accounts(Path(accounts_file)),
            broker_url=request.config.getoption("--broker-url"),
        )
        return
    from verification.targets.local import LocalStack, StackConfig

    postgres_url = request.getfixturevalue("postgres_url")
    redis_url = request.getfixturevalue("redis_url")
    stack = LocalStack(
        StackConfig(
            run_dir=tmp_path_factory.mktemp("suite-stack"),
            postgres_url=postgres_url,
            redis_url=redis_url,
            roles=("web", "channels", "worker"),
            canary_interval_s=None,
        )
    )
    with stack:
        yield stack.target()


class Api:
    """requests against the target, optionally as a logged-in user, always bounded."""

    def __init__(self, base: str, token: str | None = None, user: dict[str, Any] | None = None):
        self.base = base
        self.token = token
        self.user = user or {}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        timeout = kwargs.pop("timeout", HTTP_TIMEOUT_S)
        return requests.request(
            method, self.base + path, headers=headers, timeout=timeout, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    @property
    def user_id(self) -> int:
        return int(self.user["id"])


def login(target: Target, account: Account) -> requests.Response:
    return requests.post(
        f"{target.web_url}/api/v1/auth/login",
        json={"username": account.username, "password": account.password},
        timeout=HTTP_TIMEOUT_S,
    )


@pytest.fixture(scope="session")
def as_role(target: Target) -> Callable[[str], Api]:
    """``as_role("cadet")``: an Api logged in as that account (one login per role)."""
    cache: dict[str, Api] = {}

    def make(key: str) -> Api:
        if key not in cache:
            account = target.account(key)
            if account is None:
                pytest.skip(f"the target has no {key} account")
            response = login(target, account)
            assert response.status_code == 200, f"login as {key}: {response.status_code}"
            body = response.json()
            cache[key] = Api(target.web_url, body["access"], body["user"])
        return cache[key]

    return make


@pytest.fixture
def anonymous(target: Target) -> Api:
    return Api(target.web_url)
