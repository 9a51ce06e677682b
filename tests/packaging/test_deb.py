"""The .deb as a person installs it: files in place, the command and the menu entry work, removal."""

from __future__ import annotations

import configparser
import fcntl
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from heartlink_desktop import __version__
from tests.packaging.conftest import Build
from tests.packaging.frozen import check_serves_and_pairs, launched

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]

PKG = "heartlink-desktop"
DESKTOP = Path("/usr/share/applications/heartlink-desktop.desktop")


def dpkg(*args: str) -> str:
    done = subprocess.run(
        ["dpkg", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    assert done.returncode == 0, f"dpkg {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def installed(build: Build) -> Iterator[Path]:
    """The package installed for one test, and removed after it (CI runs as root)."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the .deb test installs a package: CI must run it as root")
        pytest.skip("installing the .deb needs root (CI runs it)")
    with open("/tmp/heartlink-deb-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time on a shared machine
        dpkg("-i", str(build.deb))
        try:
            yield build.deb
        finally:
            dpkg("--purge", PKG)
            assert not Path("/opt", PKG).exists()
            assert shutil.which(PKG) is None


def test_the_package_declares_itself_and_its_files(build: Build) -> None:
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(build.deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Package: {PKG}" in fields
    assert f"Version: {__version__}" in fields
    # what the bundle links to but does not carry, glibc no older than its symbols need
    assert re.search(r"Depends: .*libc6 \(>= 2\.\d+\)", fields), fields
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(build.deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/heartlink-desktop/HeartLink",
        "./usr/bin/heartlink-desktop",
        "./usr/share/applications/heartlink-desktop.desktop",
        "./usr/share/icons/hicolor/256x256/apps/heartlink-desktop.png",
        "./usr/share/icons/hicolor/scalable/apps/heartlink-desktop.svg",
    ):
        assert f" {path}" in listing, path
    print(f"\n.deb: {build.deb.stat().st_size / 1e6:.1f} MB")


@pytest.mark.asyncio
async def test_installed_command_serves_pairs_and_stops(installed: Path, tmp_path: Path) -> None:
    command = shutil.which(PKG)
    assert command == f"/usr/bin/{PKG}"
    async with launched([command, "--headless"], tmp_path / "data", log=tmp_path / "log") as app:
        print(f"\ninstalled headless: listening {app.startup:.2f} s after launch")
        await check_serves_and_pairs(app, __version__)
        assert await app.terminate() == 0


@pytest.mark.asyncio
async def test_menu_entry_opens_the_window_under_x(installed: Path, tmp_path: Path) -> None:
    """What the desktop menu runs, on a real X server (Xvfb): the xcb platform from the bundle."""
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DESKTOP)
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Terminal"] == "false"
    icon = Path("/usr/share/icons/hicolor/256x256/apps") / f"{desktop['Icon']}.png"
    assert icon.is_file()
    exec_line = shlex.split(desktop["Exec"])
    assert shutil.which(exec_line[0]) == f"/usr/bin/{PKG}"
    env = {"QT_QPA_PLATFORM": None}  # the real xcb platform
    async with launched(
        ["xvfb-run", "-a", *exec_line], tmp_path / "data", log=tmp_path / "log", env=env
    ) as app:
        print(f"\nmenu entry under Xvfb: listening {app.startup:.2f} s after launch")
        await check_serves_and_pairs(app, __version__)
        window = [p for p in app.app_pids() if psutil.Process(p).name() == "HeartLink"]
        assert len(window) == 1
        assert await app.terminate(window[0]) == 0  # xvfb-run returns the app's own status
