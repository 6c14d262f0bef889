"""The migration toolkit's import, verify and rollback, as the rehearsal calls them.

Those three steps belong to the migration toolkit (``backend/cutover``): ``importer.
import_export``, ``verify.verify_migration`` and ``rollback.rollback``. The rehearsal never
carries its own copy: each is looked up in the toolkit and, if absent (a checkout without it,
a renamed function), reported as missing, which the rehearsal turns into an ERROR check naming
what it looked for, never a pass. The adapters below call each step and map its result.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    """A toolkit function, or why there is none."""

    name: str
    function: Callable[..., Any] | None
    missing: str | None = None

    @property
    def available(self) -> bool:
        return self.function is not None


# (module, function) candidates per step, in the order they are tried.
CANDIDATES: dict[str, tuple[tuple[str, str], ...]] = {
    "import": (("cutover.importer", "import_export"),),
    "verify": (("cutover.verify", "verify_migration"),),
    "rollback": (("cutover.rollback", "rollback"),),
}


def find(step: str) -> Step:
    tried = []
    for module_name, function_name in CANDIDATES[step]:
        tried.append(f"{module_name}.{function_name}")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        function = getattr(module, function_name, None)
        if callable(function):
            return Step(step, function)
    return Step(
        step,
        None,
        f"the migration toolkit has no {step} step yet (looked for {', '.join(tried)})",
    )


@dataclass(frozen=True)
class StepOutcome:
    """A toolkit step's result, as the rehearsal reports it."""

    ok: bool
    summary: str
    rows: int | None = None
    report: Any = None


def _outcome(result: Any, default_summary: str) -> StepOutcome:
    ok = bool(getattr(result, "ok", result is not None))
    rows = getattr(result, "total_rows", None) or getattr(result, "rows", None)
    as_dict = getattr(result, "as_dict", None)
    report = as_dict() if callable(as_dict) else str(result)
    summary = str(getattr(result, "summary", "") or default_summary)
    return StepOutcome(ok, summary, rows if isinstance(rows, int) else None, report)


def run_import(step: Step, export_dir: Any, database_url: Any) -> StepOutcome:
    assert step.function is not None
    result = step.function(export_dir, database_url=database_url)
    return _outcome(result, "imported")


def run_verify(step: Step, legacy_url: Any, database_url: Any) -> StepOutcome:
    assert step.function is not None
    result = step.function(legacy_url, database_url=database_url)
    return _outcome(result, "verified")


def run_rollback(step: Step, **kwargs: Any) -> StepOutcome:
    assert step.function is not None
    result = step.function(**kwargs)
    return _outcome(result, "rolled back")
