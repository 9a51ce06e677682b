"""What the host sends, in order, for as few loop callbacks as possible.

A send whose turn it is runs at once, in place (its coroutine stepped here, no task):
handing a message to Engine.IO's queue does not wait, so it finishes with no loop callback
and no task at all. Only a send that
really waits (the rare one) makes the next ones queue behind it, for one pump task to send in
order. `InlineManager` emits to each recipient in turn instead of a task per recipient plus a
wait, which python-socketio's manager does; an EVENT for a socket on a websocket goes straight
to it as its frame (`fast`). `plain_websockets` makes Engine.IO's websockets `fast` ones: no
per-message compression (signaling messages are a few hundred bytes on a LAN, where deflating
each one costs the host more than it saves), a lean read loop, one write per loop turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet

from heartlink_desktop.server import fast

log = logging.getLogger(__name__)

Send = Callable[[], Awaitable[Any]]


class Outbox:
    def __init__(self) -> None:
        self._queue: deque[Send] = deque()
        self._busy: asyncio.Task[None] | None = None  # the one send (or pump) under way
        self._idle: asyncio.Event | None = None
        self._open = False
        self.sent_in_place = 0  # sends that finished at once (for the benchmarks)

    def open(self) -> None:
        self._open = True
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
        if self._busy is not None or self._queue:
            self._queue.append(send)  # behind the one that waits
            return
        coro = _guarded(send)
        try:
            waiting_on = coro.send(None)  # run it here, up to its first wait
        except StopIteration:
            self.sent_in_place += 1  # done: no task, no loop callback
            return
        self._start(asyncio.ensure_future(_resume(coro, waiting_on)))

    def _start(self, task: asyncio.Task[None]) -> None:
        assert self._idle is not None
        self._busy = task
        self._idle.clear()
        task.add_done_callback(self._next)

    def _next(self, task: asyncio.Task[None]) -> None:
        self._busy = None
        if self._queue and self._open:
            self._start(asyncio.ensure_future(self._pump()))
        elif self._idle is not None:
            self._idle.set()

    async def _pump(self) -> None:
        while self._queue:
            await _guarded(self._queue.popleft())

    async def join(self) -> None:
        """Wait until everything put so far has been sent."""
        if self._idle is not None:
            await self._idle.wait()


async def _resume(coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Carry on, as a task, a send that was started in place and had to wait: wait for what
    it waits on, then step it again (a cancel goes into it)."""
    while True:
        try:
            if waiting_on is None:
                await asyncio.sleep(0)  # a bare yield
            else:
                waiting_on._asyncio_future_blocking = False  # as a task's step does
                await _wait(waiting_on)
        except asyncio.CancelledError as exc:
            if waiting_on is not None:
                waiting_on.cancel()
            try:
                waiting_on = coro.throw(exc)
            except StopIteration:
                return
            continue
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return


async def _wait(future: Any) -> None:
    """Until the future is done, whatever its outcome (the send reads it itself)."""
    if not future.done():
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake(_f: Any) -> None:
            if not done.done():
                done.set_result(None)

        future.add_done_callback(wake)
        await done


async def _guarded(send: Send) -> None:
    try:
        await send()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("sending failed")


class InlineManager(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio's manager, sending to each recipient in turn (no task each)."""

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
                await self.server._send_eio_packet(eio_sid, p)


def plain_websockets(sio: socketio.AsyncServer) -> None:
    """This server's Engine.IO serves its websockets through `fast` (no compression, a lean
    read loop, one write per connection per loop turn); polling is unchanged."""
    fast.fast_websockets(sio)
