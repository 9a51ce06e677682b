"""The frozen app and the .deb, built once per test session with the documented command."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("HEARTLINK_PACKAGING_DIR", ROOT / "build" / "packaging-test"))
INPUTS = ("build.spec", "pyproject.toml", "requirements.lock", "packaging", "heartlink_desktop", "resources")
SOCKETIO_DIST = ROOT / "node_modules" / "socket.io-client" / "dist"
BUILD_TIMEOUT = 900  # seconds; about 1-3 min on 2 cores


@dataclass(frozen=True)
class Build:
    app: Path  # the one-folder bundle: app / "HeartLink" is the executable
    deb: Path
    seconds: float  # how long the build took (0 when an up-to-date one was reused)

    @property
    def exe(self) -> Path:
        return self.app / "HeartLink"


def inputs_digest() -> str:
    """A hash of every file the build reads from the checkout: a changed file means rebuild."""
    digest = hashlib.sha256()
    files = [SOCKETIO_DIST / "socket.io.esm.min.js"]
    for name in INPUTS:
        path = ROOT / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _existing(stamp: Path, digest: str) -> Build | None:
    try:
        info = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    build = Build(OUT / "dist" / "HeartLink", Path(info.get("deb", "")), 0.0)
    if info.get("digest") == digest and build.exe.is_file() and build.deb.is_file():
        return build
    return None


@pytest.fixture(scope="session")
def build() -> Iterator[Build]:
    """dist/HeartLink and the .deb from packaging/build.sh, rebuilt when any input changed."""
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = OUT / "inputs.json"
    with open(OUT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions never build into one folder at once
        digest = inputs_digest()
        found = _existing(stamp, digest)
        if found is not None:
            fcntl.flock(lock, fcntl.LOCK_SH)  # others may use it too; a rebuild waits for us
            yield found
            return
        stamp.unlink(missing_ok=True)
        env = {
            **os.environ,
            "PYTHON": sys.executable,
            "DIST": str(OUT / "dist"),
            "WORK": str(OUT / "work"),
            "DEB_COMPRESSION": "gzip",  # xz saves ~25% of the download and costs ~1 min here
        }
        env.pop("QT_QPA_PLATFORM", None)
        started = time.monotonic()
        done = subprocess.run(
            [str(ROOT / "packaging" / "build.sh")],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
        )
        seconds = time.monotonic() - started
        assert done.returncode == 0, (
            f"packaging/build.sh failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
        )
        debs = sorted((OUT / "dist").glob("heartlink-desktop_*.deb"), key=lambda p: p.stat().st_mtime)
        assert debs, f"no .deb was made:\n{done.stdout}"
        result = Build(OUT / "dist" / "HeartLink", debs[-1], seconds)
        stamp.write_text(json.dumps({"digest": digest, "deb": str(result.deb), "seconds": seconds}))
        print(f"\npackaging: built in {seconds:.0f} s\n{done.stdout}", file=sys.stderr)
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield result
