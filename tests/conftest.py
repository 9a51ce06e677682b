"""Fixtures for every suite: no test touches the user's real folders; one way to a host with clients."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from heartlink_desktop.server.host import HostServer
from tests import loops
from tests.support import Clients, Serve, running_host

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any] | None:
    """asyncio's loop, recording background errors; the window's tests (tests/gui) answer for
    themselves with the window's loop."""
    if "gui" in item.path.relative_to(Path(__file__).parent).parts[:1]:
        return None
    return {"asyncio": loops.plain}


@pytest.fixture(autouse=True)
def _no_unhandled_loop_errors() -> Any:
    """A task that failed in the background fails the test, even if nobody awaited it."""
    loops.errors.clear()
    yield
    assert not loops.errors, "unhandled errors on the loop:\n" + "\n".join(loops.errors)


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


# The protocol's tests: each of their tests that uses `serve` runs both ways (plain_too).
PROTOCOL_MODULES = {
    "test_pairing",
    "test_errors",
    "test_gate",
    "test_reclaim",
    "test_queue",
    "test_rounds",
    "test_timeouts",
    "test_again",
    "test_host_ops",
    "test_observers",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that uses `serve` and is marked `plain_too` (or is in PROTOCOL_MODULES) runs
    twice: on the fast internals and with `--plain-io` (the libraries' public paths), with
    the same assertions."""
    marked = metafunc.definition.get_closest_marker("plain_too") is not None
    protocol = metafunc.module.__name__.rsplit(".", 1)[-1] in PROTOCOL_MODULES
    if "io_path" in metafunc.fixturenames and (marked or protocol):
        metafunc.parametrize("io_path", ["fast", "plain"], indirect=True)


@pytest.fixture
def io_path(request: pytest.FixtureRequest) -> str:
    """ "fast" (the default) or "plain": the way `serve` builds its hosts."""
    return str(getattr(request, "param", "fast"))


@pytest_asyncio.fixture
async def serve(data_dir: Path, io_path: str) -> AsyncIterator[Serve]:
    """`host, clients = await serve(**settings)`: a host on `data_dir` with those settings, built
    as the app composes it, and the maker of its clients. At the end the clients close, then the
    host stops, the last started first; a host the test stopped or clients it closed are fine.
    In a test marked `plain_too`, hosts are built once with `plain_io` off and once on."""
    async with AsyncExitStack() as stack:

        async def start(**settings: Any) -> tuple[HostServer, Clients]:
            settings = {"plain_io": io_path == "plain", **settings}
            host = await stack.enter_async_context(running_host(data_dir, **settings))
            clients = Clients(host)
            stack.push_async_callback(clients.close)
            return host, clients

        yield start


@pytest.fixture
def host_settings() -> dict[str, Any]:
    """The settings of the `host` fixture: a module overrides this to give all its tests others."""
    return {}


@pytest_asyncio.fixture
async def served(serve: Serve, host_settings: dict[str, Any]) -> tuple[HostServer, Clients]:
    return await serve(**host_settings)


@pytest.fixture
def host(served: tuple[HostServer, Clients]) -> HostServer:
    return served[0]


@pytest.fixture
def clients(served: tuple[HostServer, Clients]) -> Clients:
    return served[1]
