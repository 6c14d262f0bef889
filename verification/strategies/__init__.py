"""Hypothesis strategies shared by the property suites (``verification/tests/property``).

* :mod:`verification.strategies.legacy`: generated legacy databases in both dialects, with
  the values the legacy backend could hold, hostile ones included, each cell carrying the
  value Django must hold after the migration (an oracle independent of the importer).
"""
