"""Entry point for `python -m heartlink_desktop`."""

import sys

from heartlink_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
