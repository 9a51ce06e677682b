"""Fixtures for every suite: no test touches the user's real folders."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, running_host

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs resolves under a temporary HOME, never the developer's own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest_asyncio.fixture
async def host(data_dir: Path) -> AsyncIterator[HostServer]:
    async with running_host(data_dir) as h:
        yield h


@pytest_asyncio.fixture
async def clients(host: HostServer) -> AsyncIterator[Clients]:
    c = Clients(host)
    yield c
    await c.close()
