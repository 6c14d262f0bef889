"""The API contract: every OpenAPI operation, as every role, against the committed schema.

The bar (MISSION part G): zero server errors and zero schema violations. Each operation gets the
examples, coverage and fuzzing phases (``contract/schemathesis.toml``: at least 100 generated
cases per operation and role, valid and invalid data), then the stateful phase walks the
OpenAPI links (create -> read -> update -> delete). A failure prints its reproducer: the seed
and a curl command. Reviewed exceptions live in ``contract/suppressions.toml`` and are counted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, settings

from contract.support import ContractRecord, RoleSession, run_case, stateful_machine

CONTRACT_DIR = Path(__file__).resolve().parent
schema = schemathesis.pytest.from_fixture("api_schema")
# Local focus while debugging one operation, e.g. CONTRACT_OPERATIONS='^GET /api/v1/cadets/'.
if focus := os.environ.get("CONTRACT_OPERATIONS"):
    schema = schema.include(name_regex=focus)
# Scenarios per role; each walks up to stateful_step_count linked calls.
STATEFUL_SETTINGS = settings(
    max_examples=50,
    stateful_step_count=6,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
def test_api_contract(
    case: Any, role_session: RoleSession, contract_record: ContractRecord
) -> None:
    # given a generated case (valid or invalid data) for one operation, as one role
    # when it is sent with the role's real token
    # then every configured check passes (suppressed failures are counted, not raised)
    run_case(case, role_session, contract_record)


def test_api_stateful(
    api_schema: Any, role_session: RoleSession, contract_record: ContractRecord
) -> None:
    # given the links between operations (create -> read -> update -> delete)
    # when the state machine walks them as one role
    # then every step passes the same checks
    machine = stateful_machine(api_schema, role_session, contract_record)
    machine.run(settings=STATEFUL_SETTINGS)
    assert contract_record.stateful_steps[role_session.role] > 0


def test_committed_schema_matches_the_code(served_schema: dict[str, Any]) -> None:
    # given the schema the code serves and the committed contract (the client's source of truth)
    committed = yaml.safe_load((CONTRACT_DIR / "openapi.yaml").read_text())
    # then they are the same document; regenerate after an API change with
    # `python backend/manage.py spectacular --file contract/openapi.yaml`
    assert served_schema == committed
