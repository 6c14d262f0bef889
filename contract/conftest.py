"""Contract suite wiring: the schema, one JWT per role, known object ids, the coverage record.

Two targets, one configuration (``contract/schemathesis.toml``):

* in-process (CI): the Django WSGI application, its schema loaded with ``from_wsgi`` inside a
  fixture with database access (a transactional database, so ``on_commit`` work such as cache
  invalidation runs as in production), seeded with a small realistic data set and one account
  per role;
* ``--target-url URL`` (or CONTRACT_TARGET_URL) with ``--accounts FILE`` (or
  CONTRACT_ACCOUNTS_FILE; the integration suite's JSON format, keys admin, staff, cadet): a live
  server, its schema loaded with ``from_url``. It must be a throwaway or staging database: the
  fuzzer creates, edits and deletes whatever the roles may touch.

Tokens come from the real ``POST /api/v1/auth/login``, once per role, and are refreshed
through ``POST /api/v1/auth/refresh`` before the access token expires.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis import Config as SchemathesisConfig

from contract.support import (
    ROLE_KEYS,
    ContractRecord,
    KnownIds,
    LiveTransport,
    RoleSession,
    Suppressions,
    WsgiTransport,
    documented_statuses,
    install_known_id_hook,
    install_suppression_hook,
)

CONTRACT_DIR = Path(__file__).resolve().parent
CONFIG_FILE = CONTRACT_DIR / "schemathesis.toml"
SUPPRESSIONS_FILE = CONTRACT_DIR / "suppressions.toml"
SCHEMA_PATH = "/api/v1/schema/"
RESULTS_DIR_ENV = "CONTRACT_RESULTS_DIR"
DEFAULT_RESULTS_DIR = "var/contract-results"
CONTRACT_TEST_TIMEOUT_S = 1800


def _add_option(parser: pytest.Parser, *names: str, **kwargs: Any) -> None:
    # The integration suite declares the same --target-url / --accounts options; when both
    # directories are collected in one session, they share them (same meaning: the target and
    # its role accounts).
    with contextlib.suppress(ValueError):
        parser.addoption(*names, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    # Fuzzed query strings make read-cache keys longer than memcached's 250 bytes; the cache is
    # Redis (or locmem in tests), where that limit does not exist.
    config.addinivalue_line(
        "filterwarnings", "ignore::django.core.cache.backends.base.CacheKeyWarning"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    _add_option(parser, "--target-url", default=None, help="base URL of a live RGMS server")
    _add_option(parser, "--accounts", default=None, help="JSON file with one account per role")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In-process, every contract test runs on a transactional test database (real commits, so
    # on_commit work runs as in production); against a live target no local database is used.
    suite = CONTRACT_DIR / "test_api_contract.py"
    live = _target_url(config) is not None
    for item in items:
        if item.path != suite:
            continue
        # schemathesis 4.32's lazy-schema runner renames the running item through the
        # `_nodeid` attribute that pytest 9 no longer has; give it one to write to.
        item._nodeid = item.nodeid  # type: ignore[attr-defined]
        # One test runs every operation of a role: far beyond the suite-wide 300 s default.
        if not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(CONTRACT_TEST_TIMEOUT_S))
        if not live:
            item.add_marker(pytest.mark.django_db(transaction=True))


_RECORD = ContractRecord()


@pytest.fixture(autouse=True, scope="session")
def _quiet_request_log() -> None:
    """One JSON line per request is noise across ~30,000 cases; server errors still log."""
    import logging

    logging.getLogger("rgms.request").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def contract_record() -> ContractRecord:
    return _RECORD


# The admin is the one role whose requests reach input validation on every operation; for
# training staff and cadets most writes stop at 403 before any field is read. So the admin gets
# the coverage phase (deterministic boundary values of every field: hundreds of cases for a
# wide body) and the full fuzzing budget of schemathesis.toml; the other two roles get the
# examples phase and half that budget (the 2-core CI box then runs the suite in about ten
# minutes; docs/contract-and-load.md has the figures).
FULL_BUDGET_ROLES = ("admin",)
OTHER_ROLES_EXAMPLES_SHARE = 0.5


@pytest.fixture
def contract_config(role: str) -> SchemathesisConfig:
    """contract/schemathesis.toml for one role; CONTRACT_SEED and CONTRACT_MAX_EXAMPLES
    override its seed and fuzzing budget."""
    doc = tomllib.loads(CONFIG_FILE.read_text())
    if seed := os.environ.get("CONTRACT_SEED"):
        doc["seed"] = int(seed)
    generation = doc.setdefault("generation", {})
    if examples := os.environ.get("CONTRACT_MAX_EXAMPLES"):
        generation["max-examples"] = int(examples)
    _RECORD.seed = doc.get("seed")
    _RECORD.max_examples = generation.get("max-examples")
    if role not in FULL_BUDGET_ROLES:
        doc.setdefault("phases", {}).setdefault("coverage", {})["enabled"] = False
        budget = generation.get("max-examples", 100)
        generation["max-examples"] = max(1, round(budget * OTHER_ROLES_EXAMPLES_SHARE))
    return SchemathesisConfig.from_dict(doc, base_dir=str(CONTRACT_DIR))


@pytest.fixture(scope="session")
def suppressions() -> Suppressions:
    loaded = Suppressions.load(SUPPRESSIONS_FILE)
    _RECORD.suppressions = loaded
    return loaded


def _target_url(config: pytest.Config) -> str | None:
    url = config.getoption("--target-url") or os.environ.get("CONTRACT_TARGET_URL")
    return url.rstrip("/") if url else None


@pytest.fixture(params=ROLE_KEYS)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def live_sessions(request: pytest.FixtureRequest) -> dict[str, RoleSession]:
    """Against a live target: every role logged in once, before any fuzzing.

    Later tokens come from the refresh endpoint only: fuzzed failed logins count towards the
    server's per-IP login ceiling (a 429 for every login from this address for 15 minutes),
    and another role's fuzzing may archive or re-password an account.
    """
    from verification.targets.base import read_accounts

    url = _target_url(request.config)
    assert url is not None
    accounts_file = request.config.getoption("--accounts") or os.environ.get(
        "CONTRACT_ACCOUNTS_FILE"
    )
    if not accounts_file:
        pytest.fail("--target-url needs --accounts (JSON: one account per role)")
    accounts = read_accounts(Path(accounts_file))
    missing = [key for key in ROLE_KEYS if key not in accounts]
    if missing:
        pytest.fail(f"--accounts lacks {', '.join(missing)}")
    transport = LiveTransport(url)
    sessions = {
        key: RoleSession(key, accounts[key].username, accounts[key].password, transport)
        for key in ROLE_KEYS
    }
    for session in sessions.values():
        session.login()
    return sessions


@pytest.fixture
def contract_target(request: pytest.FixtureRequest, role: str) -> Iterator[Any]:
    """The transport under test and each role's credentials (and, in-process, the seed)."""
    url = _target_url(request.config)
    _RECORD.target = url or "in-process WSGI"
    if url:
        sessions = request.getfixturevalue("live_sessions")
        transport = sessions["admin"].transport
        yield transport, sessions, None
        return

    from django.core import signals
    from django.core.cache import cache
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections, connection

    from contract.seed import seed_contract_data, seed_through_the_api

    cache.clear()
    seeded = seed_contract_data()
    transport = WsgiTransport(get_wsgi_application())
    # As Django's own test client does: keep the one test connection across requests instead
    # of closing it at the end of each (a reconnect per request doubles the cost of a case).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with connection.cursor() as cursor:
        # A throwaway test database: no request needs to wait for its commit's WAL flush.
        cursor.execute("SET synchronous_commit TO OFF")
    admin = RoleSession("admin", *seeded.credentials["admin"], transport)
    seed_through_the_api(seeded, admin)
    try:
        yield transport, seeded.credentials, seeded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        cache.clear()


def _session(contract_target: Any, role: str) -> RoleSession:
    transport, credentials, _ = contract_target
    if isinstance(credentials[role], RoleSession):  # a live target: logged in once
        return credentials[role]
    username, password = credentials[role]
    session = RoleSession(role, username, password, transport)
    session.login()
    return session


@pytest.fixture
def role_session(contract_target: Any, role: str) -> RoleSession:
    return _session(contract_target, role)


def _load_schema(transport: Any, config: SchemathesisConfig) -> Any:
    if isinstance(transport, WsgiTransport):
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, transport.app, config=config)
    return schemathesis.openapi.from_url(
        transport.base_url + SCHEMA_PATH, config=config, timeout=30
    )


@pytest.fixture
def api_schema(
    contract_target: Any,
    contract_config: SchemathesisConfig,
    role: str,
    role_session: RoleSession,
    suppressions: Suppressions,
) -> Any:
    """The served schema, as one role sees the API: its token, known ids, suppressions."""
    transport, _, seeded = contract_target
    loaded = _load_schema(transport, contract_config)
    _RECORD.documented = documented_statuses(loaded.raw_schema)
    # Ids are listed as admin, so the other roles also get ids of rows they may not see.
    admin = role_session if role == "admin" else _session(contract_target, "admin")
    known = KnownIds.harvest(loaded.raw_schema.get("paths", {}), admin, seeded)
    install_known_id_hook(loaded, known)
    install_suppression_hook(loaded, suppressions, role, _RECORD)
    return loaded


@pytest.fixture
def served_schema(request: pytest.FixtureRequest) -> Any:
    """The schema document the code serves (for the drift test); no login needed."""
    url = _target_url(request.config)
    config = SchemathesisConfig.from_path(CONFIG_FILE)
    if url:
        return _load_schema(LiveTransport(url), config).raw_schema
    from django.core.wsgi import get_wsgi_application

    return _load_schema(WsgiTransport(get_wsgi_application()), config).raw_schema


def _results_dir() -> Path:
    return Path(os.environ.get(RESULTS_DIR_ENV) or DEFAULT_RESULTS_DIR)


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker = getattr(session.config, "workerinput", None)
    if worker is not None and _RECORD.has_data():
        # An xdist worker: hand this process's record to the controller through a file.
        directory = _results_dir()
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".partial-{worker['workerid']}.json"
        partial.write_text(json.dumps(_RECORD.to_partial()))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is not None:
        return
    directory = _results_dir()
    if _RECORD.suppressions is None and SUPPRESSIONS_FILE.exists():
        _RECORD.suppressions = Suppressions.load(SUPPRESSIONS_FILE)
    for partial in sorted(directory.glob(".partial-*.json")):
        _RECORD.merge_partial(json.loads(partial.read_text()))
        partial.unlink()
    if not _RECORD.has_data():
        return
    for line in _RECORD.render_lines():
        terminalreporter.write_line(line)
    path = _RECORD.write_json(directory)
    terminalreporter.write_line(f"contract coverage written to {path}")
