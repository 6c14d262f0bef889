"""Counts the generated token cases a test run sends (reported in the terminal summary)."""

from __future__ import annotations

_cases = 0


def count_case() -> None:
    global _cases
    _cases += 1


def cases() -> int:
    return _cases
