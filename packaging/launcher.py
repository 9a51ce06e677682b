"""The frozen app's entry point: PyInstaller needs a script, the app lives in the package."""

import multiprocessing
import sys

multiprocessing.freeze_support()  # a speech worker process starts here: it must run its task only

from heartlink_desktop.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
