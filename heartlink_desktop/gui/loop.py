"""The asyncio loop on Qt's loop that the window runs on: qasync, with its callbacks and
timers kept by the loop itself, as asyncio's own loop does.

qasync gives each `call_soon` and each `call_later` a Qt timer of its own (start, event,
kill): on the relay path, where every websocket read sets a timeout and most are cancelled,
that was most of a message's cost. Here callbacks made ready in one turn of Qt's loop wait in
one queue and run, in order, from a single zero timer (those they make ready run at the next
turn, after Qt has handled its events, sockets and painting); timed callbacks wait in a heap
with one Qt timer set for the earliest, so a cancelled or pushed-back timeout costs no Qt call.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections import deque
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

RESOLUTION = 0.001  # seconds: a timer due within this is run now (asyncio does the same)


class BatchedLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop with asyncio's own bookkeeping of ready callbacks and timers (see the
    module's docstring): one Qt zero-timer drains the ready queue, one Qt timer is armed for
    the earliest timed callback. Made by `new_loop` for the window (gui/main.py) and its tests."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._ready: deque[asyncio.Handle] = deque()
        self._drain_set = False
        self._timers: list[asyncio.TimerHandle] = []
        self._cancelled_timers = 0
        self._armed: float | None = None  # when the Qt timer is set to fire
        self._qtimer = QTimer()
        self._qtimer.setSingleShot(True)
        self._qtimer.setTimerType(Qt.TimerType.PreciseTimer)
        self._qtimer.timeout.connect(self._on_timer)

    # -- ready callbacks ------------------------------------------------------------------
    def call_soon(self, callback: Any, *args: Any, context: Context | None = None) -> asyncio.Handle:
        self._check_closed()
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = asyncio.Handle(callback, args, self, context=context)
        self._push(handle)
        return handle

    def _push(self, handle: asyncio.Handle) -> None:
        self._ready.append(handle)
        if not self._drain_set:
            self._drain_set = True
            self._add_callback(asyncio.Handle(self._drain, (), self), 0)

    def _drain(self) -> None:
        self._drain_set = False
        for _ in range(len(self._ready)):  # those ready now; newer ones at the next turn
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()

    # -- timed callbacks ------------------------------------------------------------------
    def call_later(self, delay: float, callback: Any, *args: Any, context: Context | None = None) -> Any:
        if delay <= 0:
            return self.call_soon(callback, *args, context=context)
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when: float, callback: Any, *args: Any, context: Context | None = None) -> Any:
        self._check_closed()
        handle = asyncio.TimerHandle(when, callback, args, self, context=context)
        heapq.heappush(self._timers, handle)
        handle._scheduled = True  # type: ignore[attr-defined]
        if self._armed is None or when < self._armed:
            self._arm(when)
        return handle

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        self._cancelled_timers += 1
        if self._cancelled_timers > 100 and self._cancelled_timers * 2 > len(self._timers):
            live = [h for h in self._timers if not h._cancelled]
            for h in self._timers:
                if h._cancelled:
                    h._scheduled = False  # type: ignore[attr-defined]
            heapq.heapify(live)
            self._timers, self._cancelled_timers = live, 0

    def _arm(self, when: float) -> None:
        self._armed = when
        self._qtimer.start(max(0, math.ceil((when - self.time()) * 1000)))

    def _on_timer(self) -> None:
        self._armed = None
        due = self.time() + RESOLUTION
        while self._timers:
            top = self._timers[0]
            if top._cancelled:
                heapq.heappop(self._timers)
                top._scheduled = False  # type: ignore[attr-defined]
                self._cancelled_timers = max(0, self._cancelled_timers - 1)
                continue
            if top.when() > due:
                self._arm(top.when())
                break
            heapq.heappop(self._timers)
            top._scheduled = False  # type: ignore[attr-defined]
            self._push(top)

    def close(self) -> None:
        self._qtimer.stop()
        super().close()


def new_loop(app: QApplication) -> BatchedLoop:
    return BatchedLoop(app)
