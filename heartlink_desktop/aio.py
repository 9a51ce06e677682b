"""Two small asyncio helpers every service uses: an alarm at a moment of the host's clock,
and the set of background tasks a part started and must cancel when it stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

# Seconds past a deadline the alarm rings, so that the core, asked "is it due?" with the
# host's clock, agrees that it has passed.
LATE = 0.005


class Alarm:
    """One wake-up at a moment of the host's clock (a `datetime`, as the core speaks of time).

    `set(at)` replaces the pending one; `cancel()` drops it; `at` says when it will ring. The
    callback runs on the loop that was running when the alarm was set. Held by the session
    timers (server/lifecycle.py), the evening's round clock (server/evening.py) and the
    facilitator's per-conversation clock (agent/engine.py)."""

    def __init__(self, clock: Callable[[], datetime], ring: Callable[[], None], late: float = LATE) -> None:
        self._clock = clock
        self._ring = ring
        self._late = late
        self._handle: asyncio.TimerHandle | None = None
        self._at: datetime | None = None

    @property
    def at(self) -> datetime | None:
        """When it rings (None: not set)."""
        return self._at

    def set(self, at: datetime) -> None:
        self.cancel()
        loop = asyncio.get_running_loop()
        delay = max(0.0, (at - self._clock()).total_seconds()) + self._late
        self._at = at
        self._handle = loop.call_later(delay, self._fire)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._at = None, None

    def _fire(self) -> None:
        self._handle, self._at = None, None
        self._ring()


class TaskSet:
    """The background tasks a part started: each is kept until it is done (so it is not
    garbage-collected mid-flight), a failure is logged with the part's name, and `cancel()`
    stops them all when the part stops."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a task of %s failed", self._owner, exc_info=task.exception())

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def wait(self) -> None:
        """Until every task started so far is done (cancelled ones included)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
