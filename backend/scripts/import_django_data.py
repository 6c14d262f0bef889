"""Plan-named entry point: import an export into Django (same as `python -m cutover import`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cutover.cli import main

main(["import", *sys.argv[1:]])
