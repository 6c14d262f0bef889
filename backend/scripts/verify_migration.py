"""Plan-named entry point: verify the migration row by row (same as `python -m cutover verify`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cutover.cli import main

main(["verify", *sys.argv[1:]])
