"""deploy-verify's checks: each module turns one kind of observation into CheckResults.

Every check takes a :class:`verification.targets.base.Target` and returns results named by the
constants in :mod:`verification.thresholds` (the gate recognises critical checks by name). A
check never passes on missing data: what the target cannot offer is a SKIP with the reason,
and an exception inside the harness is an ERROR naming it.
"""
