"""Progress reporting hooks: the core functions report per-table progress through this small
interface, so the CLI can draw rich progress bars and everything else can stay silent."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, table: str, total: int | None) -> None:
        """A table begins; `total` rows are expected (None when unknown)."""

    def advance(self, table: str, rows: int) -> None:
        """`rows` more rows of the table are done."""

    def finish(self, table: str) -> None:
        """The table is done."""

    def note(self, message: str) -> None:
        """A step that is not a table (running pg_dump, restoring...)."""


class NullProgress:
    """Reports nothing."""

    def start(self, table: str, total: int | None) -> None:
        return None

    def advance(self, table: str, rows: int) -> None:
        return None

    def finish(self, table: str) -> None:
        return None

    def note(self, message: str) -> None:
        return None


NULL_PROGRESS = NullProgress()
