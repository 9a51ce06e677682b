"""The frozen app's entry point: PyInstaller needs a script, the app lives in the package."""

import sys

from heartlink_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
