"""`python -m cutover ...` runs the toolkit's command line (see cutover.cli)."""

from cutover.cli import main

main()
