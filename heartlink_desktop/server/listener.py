"""The listening socket: how many connections the host takes at once, each refused beyond that
before its TLS handshake; the handshake's timeout; a smaller TLS read buffer per connection;
and the memory a flood of connections took, given back once it has closed.

asyncio's `create_server(ssl=...)` wraps every accepted socket in its SSL protocol (a 256 KiB
read buffer each) before the application hears of it. Here the server listens on plain TCP and
the protocol factory decides: over the cap, a protocol that closes the socket at once; under
it, the SSL protocol itself, made by us, with a 32 KiB read buffer (a TLS record is at most
16 KiB) and the handshake timeout, around aiohttp's request handler.

Library internals (listed in heartlink_desktop/internals.py): `asyncio.sslproto.SSLProtocol(loop,
app_protocol, sslcontext, waiter, server_side, server_hostname, *, call_connection_made,
ssl_handshake_timeout, ssl_shutdown_timeout)` and its class attribute `max_size` (the read
buffer's size, 256 KiB), and aiohttp's `BaseSite._server`. `lean=False` (the host's
`--plain-io`, or a Python without `max_size`) takes asyncio's public TLS path instead
(`create_server(ssl=..., ssl_handshake_timeout=...)`, the cap then counted from aiohttp's own
connections and enforced after the handshake).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import ssl
import time
from asyncio import sslproto
from collections.abc import Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

LEAN_TLS = hasattr(sslproto.SSLProtocol, "max_size")
READ_BUFFER = 32 * 1024  # a TLS record is at most 16 KiB; asyncio's default is 256 KiB
SHUTDOWN_TIMEOUT = 5.0  # seconds for a TLS goodbye
FD_RESERVE = 64  # file descriptors kept for everything else (files, speech workers, the log)
TRIM_AFTER = 200  # connections closed since the peak before freed memory goes back to the system
REFUSAL_LOG_EVERY = 30.0  # seconds between two log lines about refused connections
BACKLOG = 128  # connections the kernel queues before they are accepted (aiohttp's default)


def _malloc_trim() -> Callable[[], Any] | None:
    """glibc's malloc_trim(0): freed heap memory back to the system (None elsewhere)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


def descriptor_room(wanted: int) -> int | None:
    """Raise this process's open-file limit towards `wanted` plus a reserve (macOS starts at
    256); the connections it then leaves room for, or None where there is no such limit."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return None
    return max(1, soft - FD_RESERVE)


class _LeanTLS(sslproto.SSLProtocol):
    """asyncio's SSL protocol with a smaller read buffer, counted by the listener."""

    max_size = READ_BUFFER

    def __init__(
        self, listener: Listener, app_protocol: asyncio.BaseProtocol, context: ssl.SSLContext
    ) -> None:
        super().__init__(
            asyncio.get_running_loop(),
            app_protocol,
            context,
            None,  # type: ignore[arg-type]  # no waiter: nobody awaits the handshake (asyncio allows it)
            True,
            None,
            ssl_handshake_timeout=listener.handshake_timeout,  # type: ignore[arg-type]  # a float works
            ssl_shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        self._listener = listener

    def connection_lost(self, exc: BaseException | None) -> None:
        try:
            super().connection_lost(exc)
        finally:
            self._listener.release()


class _Refused(asyncio.Protocol):
    """A connection over the cap: closed as soon as it is accepted, before any TLS."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class Listener:
    """Owns the accepting side of the host: the cap on connections open at once (handshakes
    included), the TLS handshake timeout, the lean TLS read buffer, and `malloc_trim` after a
    flood. HostServer makes one per start and reads `open`, `peak`, `refused`; the site calls
    `protocol()` for each accepted socket."""

    def __init__(
        self,
        cap: int,
        handshake_timeout: float,
        *,
        reason: str,
        lean: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        room = descriptor_room(cap)
        self.cap = cap if room is None else min(cap, room)
        self.handshake_timeout = handshake_timeout
        self.reason = reason  # why the cap is what it is, for the log line
        self.lean = LEAN_TLS if lean is None else lean
        self.open = 0
        self.peak = 0
        self.refused = 0
        self.trims = 0
        self._clock = clock
        self._logged_at = float("-inf")
        self._quiet = 0
        self._trim = _malloc_trim()
        self._trim_handle: asyncio.TimerHandle | None = None
        self._handlers: web.Server | None = None

    def protocol(self, handlers: web.Server, context: ssl.SSLContext | None) -> asyncio.BaseProtocol:
        """The protocol of one accepted socket (on the lean path: before any TLS)."""
        if self.open >= self.cap:
            self._refuse()
            return _Refused()
        if not self.lean:  # the public path: asyncio did the handshake; aiohttp counts
            return handlers()
        assert context is not None
        self.open += 1
        self.peak = max(self.peak, self.open)
        return _LeanTLS(self, handlers(), context)

    def release(self) -> None:
        self.open -= 1
        flood_closed = self.peak - self.open >= TRIM_AFTER and self.open <= self.peak // 4
        if flood_closed or self._trim_handle is not None:
            # a flood is closing: give the memory back once it has been quiet for a second
            if self._trim_handle is not None:
                self._trim_handle.cancel()
            self._trim_handle = asyncio.get_running_loop().call_later(1.0, self.give_back)

    def give_back(self) -> None:
        """Collect, then return freed heap memory to the system (glibc); the peak starts over."""
        self._trim_handle = None
        gc.collect()
        if self._trim is not None:
            self._trim()
            self.trims += 1
        self.peak = self.open

    def close(self) -> None:
        if self._trim_handle is not None:
            self._trim_handle.cancel()
            self._trim_handle = None

    def _refuse(self) -> None:
        self.refused += 1
        now = self._clock()
        if now - self._logged_at < REFUSAL_LOG_EVERY:
            self._quiet += 1
            return
        more = f" ({self._quiet} more refused since the last line)" if self._quiet else ""
        self._logged_at, self._quiet = now, 0
        log.warning(
            "refused a connection: %d are open, the most this host takes (%s)%s", self.open, self.reason, more
        )


class GatedSite(web.BaseSite):
    """aiohttp's site whose sockets go through a Listener (made by HostServer.start). Its
    listening server is BaseSite's `_server`, which the runner reads its address from and
    closes at cleanup (heartlink_desktop/internals.py)."""

    def __init__(
        self, runner: web.AppRunner, host: str, port: int, *, ssl_context: ssl.SSLContext, listener: Listener
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=BACKLOG)
        self.runner = runner
        self.address = host
        self.wanted_port = port
        self.context = ssl_context
        self.listener = listener

    @property
    def name(self) -> str:
        return f"https://{self.address}:{self.wanted_port}"

    async def start(self) -> None:
        await super().start()  # registers the site with its runner
        loop = asyncio.get_running_loop()
        handlers = self.runner.server
        assert handlers is not None
        listener, context = self.listener, self.context
        if listener.lean:
            self._server = await loop.create_server(
                lambda: listener.protocol(handlers, context), self.address, self.wanted_port, backlog=BACKLOG
            )
        else:

            def counted() -> asyncio.BaseProtocol:
                listener.open = len(handlers.connections)  # the public path: after handshakes
                return listener.protocol(handlers, None)

            self._server = await loop.create_server(
                counted,
                self.address,
                self.wanted_port,
                ssl=context,
                ssl_handshake_timeout=listener.handshake_timeout,
                backlog=BACKLOG,
            )
