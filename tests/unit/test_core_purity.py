"""The core imports nothing that does I/O, Qt or networking."""

from __future__ import annotations

import json
import subprocess
import sys


def test_core_imports_no_io_frameworks() -> None:
    code = (
        "import sys, json, heartlink_desktop.core, heartlink_desktop.core.rooms;"
        "import importlib, pkgutil, heartlink_desktop.core as c;"
        "[importlib.import_module('heartlink_desktop.core.' + m.name) for m in pkgutil.iter_modules(c.__path__)];"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    forbidden = {
        "PySide6",
        "qasync",
        "aiohttp",
        "socketio",
        "engineio",
        "asyncio",
        "socket",
        "ssl",
        "platformdirs",
        "psutil",
        "heartlink_desktop.server",
        "heartlink_desktop.gui",
    }
    assert not (forbidden & loaded), forbidden & loaded
