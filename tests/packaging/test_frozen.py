"""The frozen app as a host runs it: headless and with its window, over TLS, stopped by SIGTERM."""

from __future__ import annotations

from pathlib import Path

import pytest

from heartlink_desktop import __version__
from tests.packaging.conftest import Build
from tests.packaging.frozen import check_serves_and_pairs, launched, read

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]


@pytest.mark.asyncio
async def test_frozen_headless_serves_pairs_and_stops_on_sigterm(build: Build, tmp_path: Path) -> None:
    async with launched([build.exe, "--headless"], tmp_path / "data", log=tmp_path / "log") as app:
        print(f"\nfrozen headless: listening {app.startup:.2f} s after launch")
        await check_serves_and_pairs(app, __version__)
        assert await app.terminate() == 0
    assert any("Stopping" in line for line in app.lines)


@pytest.mark.asyncio
async def test_frozen_window_serves_pairs_and_stops_on_sigterm(build: Build, tmp_path: Path) -> None:
    """The window on Qt's offscreen platform: the bundled Qt, qasync and the window all load."""
    env = {"QT_QPA_PLATFORM": "offscreen"}
    async with launched([build.exe], tmp_path / "data", log=tmp_path / "log", env=env) as app:
        print(f"\nfrozen window: listening {app.startup:.2f} s after launch")
        await check_serves_and_pairs(app, __version__)
        assert await app.terminate() == 0
    assert "Traceback" not in read(tmp_path / "log")
