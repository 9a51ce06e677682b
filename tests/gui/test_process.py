"""The real program: `heartlink-desktop` opens the window, serves, and stops politely on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

STARTUP = 30.0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_the_program_opens_the_window_prints_the_link_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "heartlink_desktop",
        "--data-dir",
        str(tmp_path / "d"),
        "--port",
        "0",
        "--host",
        "127.0.0.1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Join URL:" in line:
                break
        joined = "".join(lines)
        assert "HeartLink is listening. Join URL: https://" in joined, joined
        port = int(joined.split("Join URL: https://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the window's server accepts connections

        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=STARTUP)
        assert proc.returncode == 0, joined + rest
        assert "Stopping: telling the peers and closing sessions." in rest
        assert "Traceback" not in joined + rest
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
