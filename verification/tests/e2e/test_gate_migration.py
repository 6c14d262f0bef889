"""The gate on the migration: a row lost after import is NO-GO naming migration.verify, and
the same migration without the loss passes verify (verify must be right in both directions).

Runs the rehearsal's migration steps only (seed a small legacy database, validated backup,
checked export, a migrated Django database, the toolkit's import and verify), without
services. While the toolkit's import or verify has not landed, these tests skip saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from verification.gate import CheckStatus, GateVerdict, Verdict
from verification.rehearsal import toolkit
from verification.rehearsal.steps import RehearsalOptions, rehearse
from verification.thresholds import MIGRATION_VERIFY

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

MISSING = [s.missing for s in (toolkit.find("import"), toolkit.find("verify")) if s.missing]
needs_toolkit = pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING))


def lose_a_row(database_url: str) -> None:
    """Delete one imported merit/demerit row, as a faulty import might."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        deleted = conn.execute(
            "DELETE FROM grading_meritdemeritlog WHERE id = "
            "(SELECT min(id) FROM grading_meritdemeritlog)"
        ).rowcount
    assert deleted == 1


def migrate(tmp_path: Path, postgres_url: str, blocker: Any, **options: object) -> GateVerdict:
    # The toolkit's import and verify run in this process on databases of their own (not
    # pytest-django's test database), so database access is allowed around them.
    with blocker.unblock():
        return migrate_unblocked(tmp_path, postgres_url, **options)


def migrate_unblocked(tmp_path: Path, postgres_url: str, **options: object) -> GateVerdict:
    return rehearse(
        RehearsalOptions(
            run_dir=tmp_path,
            scale=0.02,
            postgres_url=postgres_url,
            redis_url=None,
            services=False,
            django_template=True,
            **options,  # type: ignore[arg-type]
        ),
        console=Console(quiet=True),
    )


@needs_toolkit
def test_a_lost_row_is_no_go_naming_verify(
    tmp_path: Path, postgres_url: str, django_db_blocker: Any
) -> None:
    # given a migration where one row disappears after the import
    verdict = migrate(tmp_path, postgres_url, django_db_blocker, after_import=lose_a_row)
    # then verify fails and the gate says NO-GO naming it
    assert verdict.verdict is Verdict.NO_GO, verdict.reasons
    assert MIGRATION_VERIFY in verdict.failed_critical


@needs_toolkit
def test_the_same_migration_without_loss_passes_verify(
    tmp_path: Path, postgres_url: str, django_db_blocker: Any
) -> None:
    verdict = migrate(tmp_path, postgres_url, django_db_blocker)
    check = next(r for r in verdict.results if r.name == MIGRATION_VERIFY)
    assert check.status is CheckStatus.PASS, check.evidence
