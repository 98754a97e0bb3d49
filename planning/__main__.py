"""``python -m planning``: the command-line interface."""

import sys

from planning.cli import main

if __name__ == "__main__":
    sys.exit(main())
