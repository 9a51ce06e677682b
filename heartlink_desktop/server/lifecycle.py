"""Ends sessions on time: a held slot whose grace ran out, and waiting or idle timeouts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from heartlink_desktop.aio import Alarm
from heartlink_desktop.core import events as ev
from heartlink_desktop.core.deadlines import Expiry
from heartlink_desktop.core.events import Event, Listener
from heartlink_desktop.core.ports import Clock

log = logging.getLogger(__name__)

# Events after which a session may be due sooner than before.
_NEARER = {ev.CREATED, ev.JOINED, ev.PEER_STATUS}

Summarize = Callable[[str], Awaitable[str]]
"""A live session's summary, or "" (server/host.py `summary`)."""


class Lifecycle:
    """One timer, set for the core's next deadline and moved when an earlier one appears.

    A later deadline (e.g. activity pushing an idle timeout back) does not reset the timer:
    when it fires early, nothing is due and it is set again for the new deadline. Only an
    event that can bring a deadline nearer (a session opened or paired, a slot held) looks,
    and at its own session only: an event costs the same with 500 sessions as with one.
    """

    def __init__(
        self,
        expiry: Expiry,
        subscribe: Callable[[Listener], Callable[[], None]],
        summarize: Summarize,
        clock: Clock,
    ) -> None:
        self._expiry = expiry
        self._subscribe = subscribe
        self._summarize = summarize
        self._clock = clock
        self._alarm = Alarm(clock, self._fire)
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        self._running = True
        self._unsubscribe = self._subscribe(self._on_event)
        self._schedule()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._running = False
        self._alarm.cancel()
        if self._task is not None:
            self._task.cancel()

    @property
    def next_wakeup(self) -> datetime | None:
        """The deadline the timer is set for (None when nothing is pending)."""
        return self._alarm.at

    def _on_event(self, event: Event) -> None:
        if event.kind not in _NEARER:
            return  # lines, speech, phases, endings only move deadlines later (or away)
        deadline = self._expiry.deadline_of(event.session_id)
        at = self._alarm.at
        if deadline is not None and (at is None or deadline < at):
            # every other deadline is at `at` or later (they only move later between these
            # events), so this one is the nearest now
            self._set(deadline)

    def _busy(self) -> bool:
        return not self._running or (self._task is not None and not self._task.done())

    def _schedule(self) -> None:
        if self._busy():
            return  # stopped, or an expiry is running and will schedule again when it is done
        deadline = self._expiry.next_deadline()
        if deadline is None:
            self._alarm.cancel()
            return
        at = self._alarm.at
        if at is not None and at <= deadline:
            return  # already set to wake up no later than that
        self._set(deadline)

    def _set(self, deadline: datetime) -> None:
        if not self._busy():
            self._alarm.set(deadline)

    def _fire(self) -> None:
        self._task = asyncio.ensure_future(self._expire())

    async def _expire(self) -> None:
        try:
            summaries = {}
            for due in self._expiry.due(self._clock()):
                summaries[due.session_id] = await self._summarize(due.session_id)
            # The clock moved while summaries were written; a slot reclaimed meanwhile is safe.
            for session in self._expiry.expire(self._clock(), summaries):
                log.info("session %s ended by itself (%s)", session.session_id, session.end_reason)
        except Exception:
            log.exception("ending sessions on time failed")
        finally:
            self._task = None
            self._schedule()
