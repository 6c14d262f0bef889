"""RGMS cutover toolkit: move the legacy Node.js database into Django without losing a row.

A plain package (not a Django app): backup, export, seed and inspection run without Django;
import and verify (which need the models) bootstrap Django only for themselves. The command
line is `python -m cutover` (see `cutover.cli`); the plan-named scripts in `backend/scripts/`
are thin shims into it.
"""

__version__ = "0.1.0"
