"""Plan-named entry point: roll back to Node.js (same as `python -m cutover rollback`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cutover.cli import main

main(["rollback", *sys.argv[1:]])
