"""Plan-named entry point: export the legacy data (same as `python -m cutover export`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cutover.cli import main

main(["export", *sys.argv[1:]])
