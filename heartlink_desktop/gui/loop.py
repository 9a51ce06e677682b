"""The asyncio loop on Qt's loop that the window runs on: qasync, with its ready callbacks
run in batches.

qasync gives each `call_soon` a Qt timer of its own (start, event, kill): on the relay path
that is most of a message's cost. Here callbacks made ready in one turn of Qt's loop wait in
one queue and run, in order, from a single zero timer; callbacks they make ready run at the
next turn, after Qt has handled its events (sockets, painting), as asyncio's own loop does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


class BatchedLoop(qasync.QEventLoop):  # type: ignore[misc]
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._ready: deque[asyncio.Handle] = deque()
        self._drain_set = False

    def call_soon(self, callback: Any, *args: Any, context: Context | None = None) -> asyncio.Handle:
        self._check_closed()
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._drain_set:
            self._drain_set = True
            self._add_callback(asyncio.Handle(self._drain, (), self), 0)
        return handle

    def call_later(self, delay: float, callback: Any, *args: Any, context: Context | None = None) -> Any:
        if delay <= 0:
            return self.call_soon(callback, *args, context=context)
        return super().call_later(delay, callback, *args, context=context)

    def _drain(self) -> None:
        self._drain_set = False
        for _ in range(len(self._ready)):  # those ready now; newer ones at the next turn
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()


def new_loop(app: QApplication) -> BatchedLoop:
    return BatchedLoop(app)
