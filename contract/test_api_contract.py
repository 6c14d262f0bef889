"""The API contract: every OpenAPI operation, as every role, against the committed schema.

The bar (MISSION part G): zero server errors and zero schema violations. Each operation gets the
examples, coverage and fuzzing phases (``contract/schemathesis.toml``: at least 100 generated
cases per operation and role, valid and invalid data), then the stateful phase walks the
OpenAPI links (create -> read -> update -> delete). A failure prints its reproducer: the seed
and a curl command. Reviewed exceptions live in ``contract/suppressions.toml`` and are counted.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky

from contract.support import ROLE_KEYS, ContractRecord, RoleSession, run_case, stateful_machine

CONTRACT_DIR = Path(__file__).resolve().parent
schema = schemathesis.pytest.from_fixture("api_schema")
# Local focus while debugging one operation, e.g. CONTRACT_OPERATIONS='^GET /api/v1/cadets/'.
if focus := os.environ.get("CONTRACT_OPERATIONS"):
    schema = schema.include(name_regex=focus)
# Scenarios per role; each walks up to stateful_step_count linked calls.
STATEFUL_SETTINGS = settings(
    max_examples=100,
    stateful_step_count=6,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# Hypothesis stops a state machine whose rule choices stop replaying identically, which a server
# whose data the earlier scenarios changed can cause without any check failing; the search then
# restarts from the next seed, at most this many times (each restart is counted in the table).
STATEFUL_ATTEMPTS = 3


def _check_case(case: Any, role_session: RoleSession, contract_record: ContractRecord) -> None:
    # given a generated case (valid or invalid data) for one operation, as one role
    # when it is sent with the role's real token
    # then every configured check passes (suppressed failures are counted, not raised)
    run_case(case, role_session, contract_record)


def _shard(index: int) -> Any:
    """Operations split in two fixed halves, so pytest-xdist can give each core one."""
    return lambda ctx: zlib.crc32(ctx.operation.label.encode()) % 2 == index


# Hypothesis's default (100) on purpose: an explicit @settings outside the schema's wrapper keeps
# the profile the root conftest loads (dev: 30 examples) from overriding schemathesis.toml,
# and a value equal to Hypothesis's default leaves the role's configured budget in charge.
EXAMPLES_FROM_CONFIG = settings(max_examples=100, deadline=None)
test_api_contract_first_half = EXAMPLES_FROM_CONFIG(
    schema.include(_shard(0)).parametrize()(_check_case)
)
test_api_contract_second_half = EXAMPLES_FROM_CONFIG(
    schema.include(_shard(1)).parametrize()(_check_case)
)


def test_api_stateful(
    api_schema: Any, role_session: RoleSession, contract_record: ContractRecord
) -> None:
    # given the links between operations (create -> read -> update -> delete)
    # when the state machine walks them as one role
    # then every step passes the same checks
    base_seed = (contract_record.seed or 0) + ROLE_KEYS.index(role_session.role) * 1000
    for attempt in range(STATEFUL_ATTEMPTS):
        seen = len(contract_record.stateful_failures)
        machine = stateful_machine(
            api_schema, role_session, contract_record, seed=base_seed + attempt
        )
        try:
            machine.run(settings=STATEFUL_SETTINGS)
            break
        except Exception as exc:
            found = contract_record.stateful_failures[seen:]
            if found:
                # The failure as first seen (with its curl), whatever the replay made of it.
                pytest.fail("\n\n".join(found[:3]), pytrace=False)
            if not isinstance(exc, Flaky):
                raise
            contract_record.stateful_restarts[role_session.role] += 1
    assert contract_record.stateful_steps[role_session.role] > 0


def test_committed_schema_matches_the_code(served_schema: dict[str, Any]) -> None:
    # given the schema the code serves and the committed contract (the client's source of truth)
    committed = yaml.safe_load((CONTRACT_DIR / "openapi.yaml").read_text())
    # then they are the same document; regenerate after an API change with
    # `python backend/manage.py spectacular --file contract/openapi.yaml`
    assert served_schema == committed
