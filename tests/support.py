"""Test helpers shared by every suite: a host on a free loopback port, real TLS clients."""

from __future__ import annotations

import asyncio
import ssl
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import socketio

from heartlink_desktop.app import build_host
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.host import HostServer
from heartlink_desktop.settings import Settings
from heartlink_desktop.tls import client_context

WAIT = 10.0  # seconds any single expected event may take before a test fails

SERVER_EVENTS = (
    "session_info",
    "session_error",
    "user_joined",
    "user_left",
    "offer",
    "answer",
    "ice_candidate",
    "transcript_update",
    "ai_interjection",
    "phase_changed",
    "session_ended",
    "peer_status",
    "queued",
    "connect_error",
    "again_asked",
    "again_received",
    "again_match",
    "evening_joined",
    "evening_status",
    "evening_ended",
    "report_received",
)


def profile(name: str = "Alice", **more: Any) -> dict[str, Any]:
    return {"name": name, **more}


class Peer:
    """A real python-socketio client over TLS that keeps every event it receives, in order."""

    def __init__(self, url: str, ssl_ctx: ssl.SSLContext, name: str = "peer") -> None:
        self.url = url
        self.name = name
        self._ssl = ssl_ctx
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl_ctx))
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http)
        self.received: dict[str, list[Any]] = defaultdict(list)
        self._last_sid: str | None = None
        self._cond = asyncio.Condition()
        for event in SERVER_EVENTS:
            self.sio.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Any:
        async def record(data: Any = None) -> None:
            async with self._cond:
                self.received[event].append(data)
                self._cond.notify_all()

        return record

    async def connect(self, token: str, **auth: Any) -> None:
        await self.sio.connect(
            self.url,
            auth={"token": token, **auth},
            wait_timeout=WAIT,
            transports=["polling", "websocket"],
        )

    @property
    def sid(self) -> str:
        """The Socket.IO sid: what `to=`, `target` and `peer.id` use."""
        sid = self.sio.get_sid() or self._last_sid
        assert sid is not None
        self._last_sid = sid
        return sid

    async def emit(self, event: str, data: Any = None) -> None:
        await self.sio.emit(event, data)

    async def wait_for(self, event: str, count: int = 1, timeout: float = WAIT) -> Any:
        """The `count`-th payload of `event` (1-based), waiting for it if needed."""
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(lambda: len(self.received[event]) >= count), timeout)
            return self.received[event][count - 1]

    async def join(self, name: str = "Alice", **more: Any) -> dict[str, Any]:
        n = len(self.received["session_info"]) + 1
        await self.emit("join", {"room": "matchmaking", "profile": profile(name, **more)})
        return await self.wait_for("session_info", n)

    async def error(self, count: int = 1) -> dict[str, Any]:
        return await self.wait_for("session_error", count)

    async def drop(self) -> None:
        """Lose the connection as a network blip does: the transport closes with no Socket.IO
        goodbye, so the host sees the socket go (and may hold its slot for the grace period)."""
        _ = self.sid
        eio = self.sio.eio
        if eio.current_transport == "websocket" and eio.ws is not None:
            await eio.ws.close()
        else:
            await eio.disconnect(abort=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while self.sio.connected and loop.time() < deadline:
            await asyncio.sleep(0.01)  # the client's read loop notices the closed transport

    async def close(self) -> None:
        if self.sio.connected:
            _ = self.sid  # remember it for assertions made after the close
            await self.sio.disconnect()
        await self.http.close()


@asynccontextmanager
async def running_host(data_dir: Path, **settings: Any) -> AsyncIterator[HostServer]:
    opts = {"host": "127.0.0.1", "port": 0, **settings}
    host = build_host(Settings(**opts).validate(), Paths(data_dir))  # as the app composes it
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


class Clients:
    """Makes connected peers for a host and closes them all at the end (closing twice is fine)."""

    def __init__(self, host: HostServer) -> None:
        self.host = host
        self.peers: list[Peer] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.host.port}"

    def ssl(self) -> ssl.SSLContext:
        assert self.host.cert is not None
        return client_context(self.host.cert)

    async def new(self, name: str = "peer", token: str | None = None, **auth: Any) -> Peer:
        peer = Peer(self.url, self.ssl(), name)
        self.peers.append(peer)
        await peer.connect(self.host.token if token is None else token, **auth)
        return peer

    async def pair(self) -> tuple[Peer, Peer]:
        a, b = await self.new("a"), await self.new("b")
        await a.join("Alice")
        await b.join("Bob")
        await a.wait_for("user_joined")
        return a, b

    async def close(self) -> None:
        for peer in self.peers:
            await peer.close()


class Serve(Protocol):
    """The `serve` fixture: `host, clients = await serve(max_pairs=2, grace_seconds=0)`."""

    async def __call__(self, **settings: Any) -> tuple[HostServer, Clients]: ...


async def until(predicate: Any, timeout: float = WAIT, interval: float = 0.01) -> None:
    """Wait until a condition on server state holds (the state has no event of its own)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


def headless_argv(data_dir: Path, *args: str, port: int | str = 0) -> list[str]:
    """The command line of a real headless host on loopback, as a person would start it."""
    return [
        sys.executable,
        "-m",
        "heartlink_desktop",
        "--headless",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *args,
    ]
