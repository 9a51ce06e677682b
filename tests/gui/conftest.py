"""The window's tests run on a qasync loop, so the real server and the widgets share one loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from heartlink_desktop.app import build_host
from heartlink_desktop.gui.loop import new_loop
from heartlink_desktop.gui.main import run_window
from heartlink_desktop.gui.window import MainWindow
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.host import HostServer
from heartlink_desktop.settings import Settings
from tests import loops
from tests.support import WAIT, Clients, until


def _app() -> QApplication:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as the app does: only the main coroutine ends the loop
    return app


def _qasync_loop() -> qasync.QEventLoop:
    """The loop the app runs the window on, recording background errors (tests/conftest.py
    fails the test on any)."""
    return loops.recording(new_loop(_app()))


def _plain_qasync_loop() -> qasync.QEventLoop:
    """qasync's own loop, as the window runs with `--plain-io`."""
    return loops.recording(new_loop(_app(), plain=True))


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """The window's loop; a test marked `plain_too` runs on qasync's own loop as well."""
    if item.get_closest_marker("plain_too") is not None:
        return {"batched": _qasync_loop, "plain": _plain_qasync_loop}
    return {"qasync": _qasync_loop}


@dataclass
class Gui:
    window: MainWindow
    task: asyncio.Task[int]
    paths: Paths
    peers: Clients

    @property
    def host(self) -> HostServer:
        return self.window.bridge.host

    async def close(self) -> int:
        await self.peers.close()
        if not self.task.done():
            self.window.close()
        return await asyncio.wait_for(self.task, WAIT)


@asynccontextmanager
async def open_gui(data_dir: Path, *, wait_running: bool = True, **settings: Any) -> AsyncIterator[Gui]:
    """The window exactly as the app runs it (run_window), with the server on this loop.

    Use it inside the test's own coroutine, not as an async fixture: between a fixture's
    coroutine and the test's, qasync runs Qt events with no asyncio loop running, and socket
    callbacks that land there fail ("no running event loop").
    """
    # grace 0: a dropped phone ends its conversation at once; the facilitator speaks when asked
    quiet = {"silence_seconds": 3600, "turns_without_ai": 100_000}
    opts = {"host": "127.0.0.1", "port": 0, "grace_seconds": 0, **quiet, **settings}
    paths = Paths(data_dir)
    shown: asyncio.Future[MainWindow] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(
        run_window(Settings(**opts).validate(), paths, build_host, ready=shown.set_result)
    )
    window = await asyncio.wait_for(shown, WAIT)
    gui = Gui(window, task, paths, Clients(window.bridge.host))
    try:
        if wait_running:
            await until(lambda: window.bridge.running or task.done())
            assert window.bridge.running, "the server did not start"
        gui.peers = Clients(window.bridge.host)
        yield gui
    finally:
        await gui.close()
