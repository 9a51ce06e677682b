"""The asyncio loop on Qt's loop that the window runs on: qasync, with its callbacks and
timers kept by the loop itself, as asyncio's own loop does; or, with `--plain-io`, qasync
as it comes.

qasync gives each `call_soon` and each `call_later` a Qt timer of its own (start, event,
kill): on the relay path, where every websocket read sets a timeout and most are cancelled,
that was most of a message's cost. Here callbacks made ready in one turn of Qt's loop wait in
one queue and run, in order, from a single zero timer (those they make ready run at the next
turn, after Qt has handled its events, sockets and painting); timed callbacks wait in a heap
with one Qt timer set for the earliest, so a cancelled or pushed-back timeout costs no Qt
call. Only public names of asyncio and qasync are used: the loop keeps each callback and its
context beside the handle it returns, asks the handle `cancelled()`, and runs the callback in
that context, as asyncio's handle would.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable
from contextvars import Context, copy_context
from typing import Any

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

RESOLUTION = 0.001  # seconds: a timer due within this is run now (asyncio does the same)
SWEEP_AT = 256  # timers kept before cancelled ones are swept out (then twice the live ones)

Ready = tuple[asyncio.Handle, Callable[..., Any], tuple[Any, ...], Context]
Timed = tuple[float, int, asyncio.TimerHandle, Callable[..., Any], tuple[Any, ...], Context]


class BatchedLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop with asyncio's own bookkeeping of ready callbacks and timers (see the
    module's docstring): one Qt zero-timer drains the ready queue, one Qt timer is armed for
    the earliest timed callback. Made by `new_loop` for the window (gui/main.py), its tests
    and the benchmarks; `ran` counts the callbacks it took from its queue (for the benchmarks)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._soon: deque[Ready] = deque()
        self._heap: list[Timed] = []
        self._sweep_at = SWEEP_AT
        self._order = itertools.count()  # timers due at the same moment run in the order set
        self._armed: float | None = None  # when the Qt timer is set to fire
        self.ran = 0
        self._drainer = QTimer()
        self._drainer.setSingleShot(True)
        self._drainer.setInterval(0)
        self._drainer.timeout.connect(self._drain)
        self._alarm = QTimer()
        self._alarm.setSingleShot(True)
        self._alarm.setTimerType(Qt.TimerType.PreciseTimer)
        self._alarm.timeout.connect(self._on_timer)

    # -- ready callbacks ------------------------------------------------------------------
    def call_soon(self, callback: Any, *args: Any, context: Context | None = None) -> asyncio.Handle:
        if self.is_closed():
            raise RuntimeError("Event loop is closed")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        if context is None:
            context = copy_context()  # as the handle would: it keeps this one
        handle = asyncio.Handle(callback, args, self, context=context)
        self._push((handle, callback, args, context))
        return handle

    def _push(self, item: Ready) -> None:
        if not self._soon:
            self._drainer.start()
        self._soon.append(item)

    def _drain(self) -> None:
        soon = self._soon
        ready = len(soon)  # those ready now; newer ones at the next turn
        self.ran += ready
        for _ in range(ready):
            handle, callback, args, context = soon.popleft()
            if handle.cancelled():
                continue
            try:
                context.run(callback, *args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self.call_exception_handler(
                    {"message": f"Exception in callback {callback!r}", "exception": exc, "handle": handle}
                )
        if soon:
            self._drainer.start()

    # -- timed callbacks ------------------------------------------------------------------
    def call_later(self, delay: float, callback: Any, *args: Any, context: Context | None = None) -> Any:
        if delay <= 0:
            return self.call_soon(callback, *args, context=context)
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when: float, callback: Any, *args: Any, context: Context | None = None) -> Any:
        if self.is_closed():
            raise RuntimeError("Event loop is closed")
        if context is None:
            context = copy_context()
        handle = asyncio.TimerHandle(when, callback, args, self, context=context)
        heapq.heappush(self._heap, (when, next(self._order), handle, callback, args, context))
        if len(self._heap) > self._sweep_at:
            self._sweep()
        if self._armed is None or when < self._armed:
            self._arm(when)
        return handle

    @property
    def kept_timers(self) -> int:
        """Timed callbacks held, cancelled ones not yet swept out included (for the tests)."""
        return len(self._heap)

    def _sweep(self) -> None:
        """Drop cancelled timers (a websocket read's timeout is set, then cancelled, each time)."""
        live = [t for t in self._heap if not t[2].cancelled()]
        heapq.heapify(live)
        self._heap = live
        self._sweep_at = max(SWEEP_AT, 2 * len(live))

    def _arm(self, when: float) -> None:
        self._armed = when
        self._alarm.start(max(0, math.ceil((when - self.time()) * 1000)))

    def _on_timer(self) -> None:
        self._armed = None
        due = self.time() + RESOLUTION
        heap = self._heap
        while heap:
            when, _, handle, callback, args, context = heap[0]
            if handle.cancelled():
                heapq.heappop(heap)
                continue
            if when > due:
                self._arm(when)
                break
            heapq.heappop(heap)
            self._push((handle, callback, args, context))

    def close(self) -> None:
        self._drainer.stop()
        self._alarm.stop()
        super().close()


def new_loop(app: QApplication, *, plain: bool = False) -> qasync.QEventLoop:
    """The window's loop: BatchedLoop, or qasync's own loop with `plain` (`--plain-io`)."""
    return qasync.QEventLoop(app) if plain else BatchedLoop(app)
