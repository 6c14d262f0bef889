"""Unit tests of the contract suite's own machinery (no database, no schema)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from contract.support import (
    LOGIN_PATH,
    REFRESH_PATH,
    ContractRecord,
    ContractSetupError,
    HttpAnswer,
    RoleSession,
    Suppressions,
    jwt_expiry,
)


def _jwt(exp: float) -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part({'exp': exp})}.sig"


class FakeTransport:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.refresh_status = 200

    def request(self, method: str, path: str, **kwargs: Any) -> HttpAnswer:
        self.calls.append((path, kwargs.get("body")))
        if path == LOGIN_PATH:
            return HttpAnswer(200, {"access": _jwt(1000), "refresh": "r1", "user": {"id": 7}})
        if path == REFRESH_PATH:
            if self.refresh_status != 200:
                return HttpAnswer(self.refresh_status, {"code": "token_not_valid"})
            return HttpAnswer(200, {"access": _jwt(5000), "refresh": "r2"})
        return HttpAnswer(404, None)


def test_jwt_expiry_reads_the_claim_without_verifying() -> None:
    assert jwt_expiry(_jwt(1234.0)) == 1234.0
    assert jwt_expiry("not-a-token") is None
    assert jwt_expiry("a.!!!.c") is None


def test_tokens_are_refreshed_before_they_expire() -> None:
    # given a session logged in with a token that expires at t=1000
    now = {"t": 0.0}
    transport = FakeTransport()
    session = RoleSession("cadet", "c", "pw", transport, clock=lambda: now["t"])  # type: ignore[arg-type]
    session.login()
    first = session.headers()
    # when time approaches the expiry (inside the refresh margin)
    now["t"] = 950.0
    second = session.headers()
    # then the refresh endpoint gave a new access token and the rotated refresh token is kept
    assert first != second
    assert transport.calls[-1] == (REFRESH_PATH, {"refresh": "r1"})
    assert session.refresh_token == "r2"  # noqa: S105 - a fake token
    assert (session.logins, session.refreshes) == (1, 1)


def test_a_refused_refresh_logs_in_again() -> None:
    now = {"t": 0.0}
    transport = FakeTransport()
    transport.refresh_status = 401
    session = RoleSession("staff", "s", "pw", transport, clock=lambda: now["t"])  # type: ignore[arg-type]
    session.login()
    now["t"] = 990.0
    session.headers()
    assert session.logins == 2


def test_a_refused_login_is_a_setup_error() -> None:
    class Refusing(FakeTransport):
        def request(self, method: str, path: str, **kwargs: Any) -> HttpAnswer:
            return HttpAnswer(401, {"code": "invalid_credentials"})

    with pytest.raises(ContractSetupError, match="login as admin"):
        RoleSession("admin", "a", "pw", Refusing()).login()  # type: ignore[arg-type]


def test_suppressions_need_a_reason_and_match_narrowly(tmp_path: Path) -> None:
    # given one entry without a reason
    bad = tmp_path / "bad.toml"
    bad.write_text('[[suppression]]\nid = "x"\noperation = "*"\ncheck = "not_a_server_error"\n')
    with pytest.raises(ContractSetupError, match="missing reason"):
        Suppressions.load(bad)
    # and one scoped to a role and a status
    good = tmp_path / "good.toml"
    good.write_text(
        '[[suppression]]\nid = "legacy-422"\noperation = "POST /api/v1/x/"\n'
        'check = "status_code_conformance"\nroles = ["cadet"]\nstatus = 422\n'
        'reason = "documented elsewhere"\n'
    )
    loaded = Suppressions.load(good)
    find = loaded.find
    # then it covers exactly that operation, check, role and status
    hit = find(
        operation="POST /api/v1/x/", checks=["status_code_conformance"], role="cadet", status=422
    )
    assert hit is not None
    assert hit.id == "legacy-422"
    assert (
        find(
            operation="POST /api/v1/x/",
            checks=["status_code_conformance"],
            role="admin",
            status=422,
        )
        is None
    )
    assert (
        find(operation="POST /api/v1/x/", checks=["not_a_server_error"], role="cadet", status=422)
        is None
    )
    assert (
        find(
            operation="POST /api/v1/x/",
            checks=["status_code_conformance"],
            role="cadet",
            status=500,
        )
        is None
    )


def test_the_committed_suppression_file_loads() -> None:
    loaded = Suppressions.load(Path(__file__).with_name("suppressions.toml"))
    assert all(entry.reason for entry in loaded.entries)


def _case(method: str, label_method: str, path: str) -> Any:
    operation = SimpleNamespace(label=f"{label_method} {path}", method=label_method.lower())
    return SimpleNamespace(method=method, operation=operation)


def test_record_counts_statuses_apart_from_method_probes_and_merges() -> None:
    # given a worker's record with a documented operation
    worker = ContractRecord(seed=1)
    worker.documented = {"GET /api/v1/x/": {"200", "401"}}
    worker.observe("admin", _case("GET", "GET", "/api/v1/x/"), 200)
    worker.observe("cadet", _case("GET", "GET", "/api/v1/x/"), 403)
    worker.observe("cadet", _case("TRACE", "GET", "/api/v1/x/"), 405)
    # when the controller merges it
    controller = ContractRecord()
    controller.merge_partial(json.loads(json.dumps(worker.to_partial())))
    row = controller.per_operation()["GET /api/v1/x/"]
    # then undocumented statuses stand out and the 405 probe is counted apart
    assert row["cases"] == 3
    assert row["observed"] == {200: 1, 403: 1}
    assert row["method_probes"] == {405: 1}
    assert row["undocumented_observed"] == ["403"]
    assert row["documented_not_observed"] == ["401"]
    assert controller.seed == 1
