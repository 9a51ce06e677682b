"""The server on a Qt (qasync) loop survives thousands of relayed messages, on the window's
loop and on qasync's own with the libraries' public paths (`--plain-io`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["fast", "plain"])
def test_thousands_of_messages_on_the_qt_loop(path: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "tests.integration.qasync_relay", "3000", path],
        capture_output=True,
        text=True,
        timeout=170,
        cwd=ROOT,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "relayed 3000" in r.stdout
    assert "Fatal Python error" not in r.stderr
