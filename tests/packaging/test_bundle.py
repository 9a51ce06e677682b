"""What the one-folder bundle holds: resources, the window's Qt parts, nothing it does not use."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from PyInstaller.archive.readers import pkg_archive_contents

from tests.packaging.conftest import Build

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]

# 150 for the app, PocketSphinx's US-English model (37 MB), Whisper: its model (75.5 MB),
# libctranslate2 (75 MB stripped), numpy with its OpenBLAS (36 MB), then the facilitator's
# language model: spaCy with blis, thinc, pydantic and the small English model (about 80 MB
# more; spaCy's other languages and tests left out). Measured: 449.2 MB.
BUDGET_MB = 480


def tree_size(folder: Path) -> int:
    """Bytes of the files and links (what a download or an install carries), not of folders."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_symlink() or p.is_file())


def test_the_bundle_fits_the_budget_and_carries_the_resources(build: Build) -> None:
    size_mb = tree_size(build.app) / 1e6
    print(f"\nbundle: {size_mb:.1f} MB, build {build.seconds:.0f} s")
    assert size_mb < BUDGET_MB
    res = build.app / "_internal" / "resources"
    for name in ("web/index.html", "web/vendor/socket.io.esm.min.js", "icons/heartlink-256.png"):
        assert (res / name).is_file(), name
    decks = Path(__file__).resolve().parents[2] / "resources" / "decks"
    assert {p.name for p in decks.glob("*.toml")} == {p.name for p in (res / "decks").glob("*.toml")}
    assert not list(res.rglob("*.py")), "build scripts beside the resources stay out"


def test_qt_parts_the_app_does_not_use_are_left_out(build: Build) -> None:
    names = {p.name for p in build.app.rglob("*")}
    for unused in (
        "libqgtk3.so",
        "libgtk-3.so.0",
        "libqpdf.so",
        "libQt6Pdf.so.6",
        "libQt6Qml.so.6",
        "libQt6Quick.so.6",
        "libQt6Network.so.6",
        "libqtvirtualkeyboardplugin.so",
    ):
        assert unused not in names, unused
    assert not list(build.app.rglob("*.qm")), "the app installs no Qt translator"


def test_every_library_the_bundle_links_to_is_there(build: Build) -> None:
    """Leaving out plugins must not leave a kept library without one it needs."""
    dangling = [p for p in build.app.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling
    elves = [build.exe, *(p for p in build.app.rglob("*.so*") if p.is_file() and not p.is_symlink())]
    out = subprocess.run(["readelf", "-d", *map(str, elves)], capture_output=True, text=True).stdout
    needed = set(re.findall(r"\(NEEDED\).*\[(.+)\]", out))
    carried = {p.name for p in build.app.rglob("*.so*")}
    system = set(
        re.findall(
            r"^\s*(\S+) \(",
            subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout,
            re.M,
        )
    )
    assert needed - carried - system == set()
    assert "libQt6Widgets.so.6" in needed  # the window's libraries were looked at at all


def test_the_window_is_in_the_bundle(build: Build) -> None:
    """The frozen app can open its window: the gui package, qasync, segno and Qt's platforms."""
    modules = set(pkg_archive_contents(str(build.exe)))
    for module in (
        "heartlink_desktop.gui.main",
        "heartlink_desktop.gui.window",
        "heartlink_desktop.agent",
        "heartlink_desktop.server.lifecycle",
        "engineio.async_drivers.aiohttp",
        "qasync",
        "segno",
    ):
        assert module in modules, module
    qt = build.app / "_internal" / "PySide6" / "Qt"
    for part in (
        "lib/libQt6Widgets.so.6",
        "lib/libQt6XcbQpa.so.6",
        "plugins/platforms/libqxcb.so",
        "plugins/platforms/libqwayland.so",
        "plugins/platforms/libqoffscreen.so",
        "plugins/imageformats/libqsvg.so",
        "plugins/iconengines/libqsvgicon.so",
    ):
        assert (qt / part).is_file(), part
    assert os.access(build.exe, os.X_OK)
