"""``python -m verification ...``: see verification.cli."""

import sys
from pathlib import Path

# The harness imports the backend's packages (cutover, config): put backend/ on the path the
# way pytest's pythonpath does, before anything is imported.
_BACKEND = str(Path(__file__).resolve().parents[1] / "backend")
if _BACKEND not in sys.path:
    sys.path.insert(0, _BACKEND)

from verification.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
