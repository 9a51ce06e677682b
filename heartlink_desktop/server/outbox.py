"""What the host sends, in order, for as few loop callbacks as possible; and the manager that
emits to each recipient in turn.

Sends go through one pump, in the order they were put. When nothing is under way, the pump
starts as an eager task (`asyncio.Task(..., eager_start=True)`, Python 3.12+): it runs at
once, in place, and since handing a message to Engine.IO does not wait, it usually finishes
there, with no loop callback. Only a send that really waits leaves the pump suspended, and
the ones put meanwhile queue behind it. With `eager=False` (the host's `--plain-io`) the pump
is an ordinary task, started at the next loop turn.

`InlineManager` emits to each recipient in turn instead of a task per recipient plus a wait,
which python-socketio's manager does; an EVENT for a socket on a fast websocket goes straight
to it as its frame (`fast.send_direct`), the rest through Engine.IO's public `send_packet`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet

from heartlink_desktop.server import fast

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[Any]]


class Outbox:
    """Owns the order of everything the host sends: `put` a send, `join` to wait until all
    put so far are sent, `close` to drop the rest. Held by HostServer (`enqueue`, `flush`)."""

    def __init__(self, *, eager: bool = True) -> None:
        self._queue: deque[Send] = deque()
        self._eager = eager
        self._running = False  # the pump is under way (maybe suspended in a send that waits)
        self._busy: asyncio.Task[None] | None = None  # the pump, when it had to wait
        self._idle: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open = False
        self.sent_in_place = 0  # puts whose send finished in the call (for the tests)

    def open(self) -> None:
        self._open = True
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Event()
        self._idle.set()

    def close(self) -> None:
        self._open = False
        self._queue.clear()
        if self._busy is not None:
            self._busy.cancel()

    def put(self, send: Send) -> None:
        if not self._open:
            return
        self._queue.append(send)
        if self._running:
            return  # the pump takes it in its turn (also when `send` was put from a send)
        self._running = True
        task = asyncio.Task(self._pump(), loop=self._loop, eager_start=self._eager)
        if task.done():
            self.sent_in_place += 1
            return
        assert self._idle is not None
        self._busy = task
        self._idle.clear()
        task.add_done_callback(self._done)

    async def _pump(self) -> None:
        queue = self._queue
        try:
            while queue:
                try:
                    await queue.popleft()()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("sending failed")
        finally:
            self._running = False

    def _done(self, task: asyncio.Task[None]) -> None:
        if self._busy is not task:
            return
        self._busy = None
        if not self._running and self._idle is not None:
            self._idle.set()

    async def join(self) -> None:
        """Wait until everything put so far has been sent."""
        if self._idle is not None:
            await self._idle.wait()


class InlineManager(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio's manager, sending to each recipient in turn (no task each). Made by
    HostServer unless `--plain-io`, when python-socketio's own manager sends."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs
            )
            return
        room = to or room
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        direct = fast.event_frame(event, args) if namespace == "/" else None
        pkts: list[eio_packet.Packet] | None = None
        eio = self.server.eio
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid in skip or (direct is not None and fast.send_direct(eio, eio_sid, direct)):
                continue
            if pkts is None:
                encoded = self.server.packet_class(
                    packet.EVENT, namespace=namespace, data=[event, *args]
                ).encode()
                pkts = [
                    eio_packet.Packet(eio_packet.MESSAGE, p)
                    for p in (encoded if isinstance(encoded, list) else [encoded])
                ]
            for p in pkts:
                await eio.send_packet(eio_sid, p)
