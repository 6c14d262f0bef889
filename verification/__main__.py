"""``python -m verification ...``: see verification.cli."""

from verification.cli import main

if __name__ == "__main__":
    main()
