"""Plan-named entry point: back up the legacy database (same as `python -m cutover backup`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cutover.cli import main

main(["backup", *sys.argv[1:]])
