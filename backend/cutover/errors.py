"""Error and finding types shared by the cutover toolkit.

Every failure the toolkit can name carries what an operator needs to act on it: the table, and
where it applies the row key, the column and the offending value. The CLI maps the exception
families onto its documented exit codes (see `cutover.cli`):

* `ConfigError`       -> 2, the command cannot run as asked (bad URL, unreachable database,
                         an output directory that is not empty, a manifest that is not one).
* `DiscrepancyError`  -> 1, the command ran and found the data wrong or incomplete.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

VALUE_PREVIEW_CHARS = 200


def preview(value: object, limit: int = VALUE_PREVIEW_CHARS) -> str:
    """A bounded `repr` of a value for reports (a 10 MB cell must not flood a log line)."""
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} chars)"
    return text


class CutoverError(Exception):
    """Base of every error the toolkit raises on purpose."""


class ConfigError(CutoverError):
    """The command cannot run as configured (exit code 2)."""


class DiscrepancyError(CutoverError):
    """The data is not what it must be (exit code 1)."""


class CellError(DiscrepancyError):
    """A single value that cannot be carried over, named by table, key, column and value."""

    def __init__(self, table: str, pk: object, column: str, value: object, reason: str) -> None:
        self.table = table
        self.pk = pk
        self.column = column
        self.value = value
        self.reason = reason
        super().__init__(f"{table} [{pk}] column {column}: {reason}; value {preview(value)}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "pk": self.pk if isinstance(self.pk, int | str | None) else repr(self.pk),
            "column": self.column,
            "value": preview(self.value),
            "reason": self.reason,
        }


class Severity(StrEnum):
    """How a finding affects the outcome of a command."""

    ERROR = "error"  # the command fails (exit 1)
    WARNING = "warning"  # reported; fails the command only under --strict
    NOTICE = "notice"  # a documented legacy quirk, reported for the record


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the source or the artefacts, for reports and the --json output."""

    severity: Severity
    code: str
    message: str
    table: str | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(
            severity=Severity(data["severity"]),
            code=str(data["code"]),
            message=str(data["message"]),
            table=data.get("table"),
            column=data.get("column"),
        )


def is_failure(problems: list[Problem], *, strict: bool = False) -> bool:
    """True when the findings make a command fail (errors, or warnings under `strict`)."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(p.severity in failing for p in problems)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A difference between what a manifest promises and what is there."""

    code: str
    message: str
    table: str | None = None
    expected: object = None
    actual: object = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "table": self.table,
            "expected": self.expected,
            "actual": self.actual,
        }
