"""The relay's fast path beneath python-socketio: websockets read with no task or timeout per
message, Socket.IO EVENTs read and written straight from their text frames, and the frames a
connection gets in one loop turn written to it at once.

python-socketio stays the server: handshakes, polling, namespaces, acks, binary packets and
pings take its own path. Only two things skip its per-message objects: a text frame
`42[...]` (an EVENT on the default namespace, no ack id) is checked unread for size and depth
(`wire.check_packet`), then goes to the server's `_handle_event` (the HeartLink server's one
gate) as soon as it is decoded, and an emit without binary data to a socket on a websocket that has nothing
queued is written there directly as the same frame. The wire format is unchanged (Engine.IO 4
MESSAGE + Socket.IO 5 EVENT, the JSON python-socketio would write).

`whole_bodies` replaces Engine.IO's `_async["translate_request"]` (python-engineio 4.15) so a
polling POST's body is read whole: Engine.IO's single `read(length)` returns what has
arrived so far.

`install` puts both in place (HostServer calls it); with `--plain-io` only the whole bodies, a
fix rather than a speed-up. Each private name of a library used here is listed, with the
version it was checked against, in `heartlink_desktop/internals.py`.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

import orjson
from aiohttp.web import WebSocketResponse
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.server import wire

# orjson: compact like python-socketio's JSON, UTF-8 rather than \u escapes (both are JSON to
# the client), several times faster. What it will not write (bytes, keys that are not strings,
# integers past 64 bits) it refuses with a TypeError, and the emit goes python-socketio's way;
# what it will not read (NaN, Infinity) goes python-socketio's way too, as before.
_encode = orjson.dumps
_decode = orjson.loads

_TEXT, _BINARY = 0x81, 0x82  # FIN + opcode
_CONTROL = (b"\x88", b"\x89", b"\x8a")  # close, ping, pong


def frame(payload: bytes, first: int = _TEXT) -> bytes:
    """One unmasked websocket frame (a server's)."""
    n = len(payload)
    if n < 126:
        return bytes((first, n)) + payload
    if n < 65536:
        return bytes((first, 126)) + n.to_bytes(2, "big") + payload
    return bytes((first, 127)) + n.to_bytes(8, "big") + payload


def event_frame(event: str, args: list[Any]) -> bytes | None:
    """The websocket frame of an Engine.IO MESSAGE holding a Socket.IO EVENT on the default
    namespace, or None when the data holds bytes (binary packets go python-socketio's way)."""
    try:
        text = _encode([event, *args])
    except TypeError:
        return None
    return frame(b"42" + text)


class Coalescer:
    """Stands in for a connection's transport under aiohttp's websocket writer: what is
    written to it in one loop turn goes out in one write (one TLS record, one send) when the
    turn ends. A control frame (close, ping, pong) goes out at once, with all before it."""

    def __init__(self, transport: Any, flusher: Flusher) -> None:
        self.transport = transport
        self._flusher = flusher
        self._chunks: list[bytes] = []
        self.writes = 0  # writes to the transport (for tests and benchmarks)

    def write(self, data: bytes) -> None:
        if not self._chunks:
            self._flusher.add(self)
        self._chunks.append(data)
        if data[:1] in _CONTROL:
            self.flush()

    def flush(self) -> None:
        chunks = self._chunks
        if not chunks:
            return
        self._chunks = []
        if self.transport.is_closing():
            return
        self.writes += 1
        self.transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))

    def is_closing(self) -> bool:
        return bool(self.transport.is_closing())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class Flusher:
    """One callback flushes every connection written to since the last flush: at the end of
    the loop turn, or, while read loops take turns through what they have already received
    (`more`), when they are through it (at most HOLD turns later)."""

    HOLD = 32

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._dirty: list[Coalescer] = []
        self._held = 0
        self.more = False  # a read loop yielded with messages still to handle

    def add(self, out: Coalescer) -> None:
        if not self._dirty:
            self._loop.call_soon(self._flush)
        self._dirty.append(out)

    def _flush(self) -> None:
        if self.more and self._held < self.HOLD:
            self.more = False
            self._held += 1
            self._loop.call_soon(self._flush)
            return
        self.more = False
        self._held = 0
        dirty, self._dirty = self._dirty, []
        for out in dirty:
            out.flush()


_flushers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Flusher] = weakref.WeakKeyDictionary()


def _flusher() -> Flusher:
    loop = asyncio.get_running_loop()
    found = _flushers.get(loop)
    if found is None:
        found = _flushers[loop] = Flusher(loop)
    return found


def send_direct(eio: Any, eio_sid: str, data: bytes) -> bool:
    """Write a frame to an Engine.IO socket's websocket now, if nothing is queued before it
    there; False when it must go through Engine.IO's queue (polling, upgrading, closing)."""
    s = eio.sockets.get(eio_sid)
    ws: FastWebSocket | None = getattr(s, "fast_ws", None)
    if ws is None or s.closing or s.closed or not s.queue.empty():
        return False
    ws.out.write(data)
    return True


async def _dispatch(sio: Any, eio_sid: str, data: list[Any]) -> None:
    """An EVENT on "/" with no ack id, decoded: to the server's own event handler, where the
    HeartLink server keeps its one gate (protocol.HeartLinkServer._handle_event)."""
    await sio._handle_event(eio_sid, "/", None, data)


class FastWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """Engine.IO's aiohttp websocket, without permessage-deflate, whose read loop is ours
    (Engine.IO's makes a task and a timeout for every message)."""

    sio: Any = None  # the socketio.AsyncServer (set on a subclass per server)

    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self.response = ws = WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await ws.prepare(request)
        writer = ws._writer
        assert writer is not None and ws._reader is not None
        self.flusher = _flusher()
        self.out = Coalescer(writer.transport, self.flusher)
        writer.transport = self.out  # type: ignore[assignment]  # it writes through ours
        self._buffered = ws._reader._buffer  # messages received and not yet handled
        self.environ = environ
        await self._serve(self.handler.__self__)  # the handler is the Engine.IO socket's
        return ws

    async def close(self) -> None:
        self.out.flush()
        await self.response.close()

    async def send(self, message: str | bytes) -> None:
        """Never waits: the frame is buffered for this loop turn's write."""
        if self.out.is_closing():
            raise ConnectionResetError("the websocket is closing")
        if isinstance(message, bytes):
            self.out.write(frame(message, _BINARY))
        else:
            self.out.write(frame(message.encode()))

    async def _receive(self) -> str | bytes:
        data = (await self.response.receive()).data
        if not isinstance(data, str | bytes):
            raise OSError("the websocket closed")
        if len(data) > self.server.max_http_buffer_size:
            raise ValueError("packet is too large")
        return data

    async def _upgrade(self, s: Any) -> bool:
        """Engine.IO's probe and upgrade from polling (as python-engineio does it)."""
        s.upgrading = True  # hold packet sends during the upgrade
        try:
            probe = eio_packet.Packet(encoded_packet=await self._receive())
        except OSError:
            return False
        if probe.packet_type != eio_packet.PING or probe.data != "probe":
            s.upgrading = False
            return False
        await self.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        await s.queue.put(eio_packet.Packet(eio_packet.NOOP))  # end the poll
        try:
            upgrade = eio_packet.Packet(encoded_packet=await self._receive())
        except OSError:
            s.upgrading = False
            return False
        s.upgrading = False
        s.upgraded = upgrade.packet_type == eio_packet.UPGRADE
        return bool(s.upgraded)

    async def _serve(self, s: Any) -> None:
        """Engine.IO's websocket handler for socket `s`, leaner per message."""
        if s.connected:
            if not await self._upgrade(s):
                return
        else:
            s.connected = True
            s.upgraded = True

        async def writer() -> None:  # what goes through Engine.IO's queue (pings, handshakes)
            while True:
                try:
                    packets = await s.poll()
                except eio_exceptions.QueueEmpty:
                    break
                if not packets:
                    break  # closed
                try:
                    for pkt in packets:
                        await self.send(pkt.encode())
                except Exception:
                    break
            await self.close()

        writer_task = asyncio.ensure_future(writer())
        s.fast_ws = self
        server = s.server
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        timeout = server.ping_interval + server.ping_timeout
        clock = time.monotonic
        last = clock()
        handle: asyncio.TimerHandle | None = None
        silent = False

        def watchdog() -> None:  # one timer per socket, not one per message
            nonlocal handle, silent
            left = last + timeout - clock()
            if left <= 0:
                assert me is not None
                silent = True
                me.cancel()  # nothing heard for too long: the read ends, as engineio's would
            else:
                handle = loop.call_later(left, watchdog)

        handle = loop.call_later(timeout, watchdog)
        sio = self.sio
        refuse = getattr(sio, "refuse", None)  # the HeartLink server's: a packet refused unread
        check = wire.check_packet
        pending_binary = sio._binary_packet  # a binary packet's attachments come next
        eio_sid = s.sid
        flusher, buffered = self.flusher, self._buffered
        try:
            while True:
                if buffered:
                    # Other connections' messages may be waiting too: take turns, one message
                    # each, so they are handled in the order they came, and none waits
                    # behind another's burst. Their frames go out when all are through.
                    flusher.more = True
                    await asyncio.sleep(0)
                try:
                    data = await self._receive()
                except Exception:
                    break
                last = clock()
                # an EVENT on "/" with no ack id: checked unread, then decoded here, once
                if type(data) is str and data[:3] == "42[" and eio_sid not in pending_binary:
                    if refuse is not None:
                        try:
                            check(data)
                        except CoreError as exc:
                            refuse(eio_sid, exc)
                            continue
                    try:
                        args = _decode(data[2:])
                    except ValueError:
                        args = None
                    if type(args) is list and args and type(args[0]) is str:
                        try:
                            await _dispatch(sio, eio_sid, args)
                        except Exception:
                            server.logger.exception("event handler error")
                        continue
                try:
                    await s.receive(eio_packet.Packet(encoded_packet=data))
                except eio_exceptions.UnknownPacketError:
                    pass
                except eio_exceptions.SocketIsClosedError:
                    break
                except Exception:
                    server.logger.exception("Unknown receive error")
        except asyncio.CancelledError:
            if silent and me is not None:
                me.uncancel()  # ours: what follows may wait with timeouts of its own
            # else the server stopping: close as below, as engineio's loop does
        finally:
            if handle is not None:
                handle.cancel()
            s.fast_ws = None
        await s.queue.put(None)  # unlock the writer so it can end
        await writer_task
        await s.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)


def fast_websockets(sio: Any) -> None:
    """Make `sio`'s Engine.IO serve its websockets with FastWebSocket."""
    kind = type("ServerWebSocket", (FastWebSocket,), {"sio": sio})
    sio.eio._async = {**sio.eio._async, "websocket": kind}


class WholeBody:
    """A polling POST's body for Engine.IO, read whole: Engine.IO reads `length` bytes with one
    `read(length)`, which returns what has arrived so far, so a body that came in more than
    one piece (a slow network, or TLS records read one buffer at a time) was cut and its
    packets lost. Here it waits for all of it, at most `timeout` seconds."""

    def __init__(self, content: Any, timeout: float) -> None:
        self._content = content
        self._timeout = timeout

    async def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            return bytes(await asyncio.wait_for(self._content.read(), self._timeout))
        try:
            return bytes(await asyncio.wait_for(self._content.readexactly(n), self._timeout))
        except asyncio.IncompleteReadError as exc:
            return bytes(exc.partial)  # the client closed early: what came is all there is
        except TimeoutError:
            # an Engine.IO error: it drops this socket and answers 400, with no traceback
            raise eio_exceptions.EngineIOError("the request's body did not arrive in time") from None


def whole_bodies(sio: Any, timeout: float) -> None:
    """Make `sio`'s Engine.IO read each polling POST's body whole (WholeBody)."""
    translate = sio.eio._async["translate_request"]

    def translate_whole(request: Any) -> dict[str, Any]:
        environ: dict[str, Any] = translate(request)
        environ["wsgi.input"] = WholeBody(environ["wsgi.input"], timeout)
        return environ

    sio.eio._async = {**sio.eio._async, "translate_request": translate_whole}


def install(sio: Any, *, plain: bool, body_timeout: float) -> None:
    """Put this module beneath `sio` (python-socketio's AsyncServer, before it is attached):
    polling bodies read whole, and unless `plain` the fast websockets."""
    whole_bodies(sio, body_timeout)
    if not plain:
        fast_websockets(sio)
