"""Read-cache namespaces of the cadet roster and cadet profiles, and their invalidation.

The roster (every page and filter) lives under ``cadets``; one cadet's profile under
``cadet:<id>`` plus ``training-days`` (its attendance score depends on the number of days).
Every write that changes what these reads show calls :func:`cadet_reads_invalidate` from its
service: cadet, grade, attendance, merit/demerit and training-day writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rgms.core import cache

ROSTER_NAMESPACE = "cadets"
TRAINING_DAYS_NAMESPACE = "training-days"


def cadet_namespace(cadet_id: int) -> str:
    return f"cadet:{cadet_id}"


def cadet_reads_invalidate(*, cadet_ids: Iterable[int] = (), training_days: bool = False) -> None:
    """Drop the cached roster, plus the named profiles (or every profile), on commit."""
    namespaces = [ROSTER_NAMESPACE, *(cadet_namespace(pk) for pk in cadet_ids)]
    if training_days:
        namespaces.append(TRAINING_DAYS_NAMESPACE)
    cache.invalidate(*namespaces)
