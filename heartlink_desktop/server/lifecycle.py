"""Ends sessions on time: a held slot whose grace ran out, and waiting or idle timeouts."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer

log = logging.getLogger(__name__)

LATE = 0.005  # seconds past a deadline, so the core agrees it has passed
# Events after which a session may be due sooner than before.
_NEARER = {ev.CREATED, ev.JOINED, ev.PEER_STATUS}


class Lifecycle:
    """One timer, set for the core's next deadline and moved when an earlier one appears.

    A later deadline (e.g. activity pushing an idle timeout back) does not reset the timer:
    when it fires early, nothing is due and it is set again for the new deadline. Only an
    event that can bring a deadline nearer (a session opened or paired, a slot held) looks,
    and at its own session only: an event costs the same with 500 sessions as with one.
    """

    def __init__(self) -> None:
        self.host: HostServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None

    async def start(self, host: HostServer) -> None:
        self.host = host
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = host.rooms.subscribe(self._on_event)
        self._schedule()

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._cancel()
        if self._task is not None:
            self._task.cancel()
        self._loop = None

    @property
    def next_wakeup(self) -> datetime | None:
        """The deadline the timer is set for (None when nothing is pending)."""
        return self._at

    def _on_event(self, event: Event) -> None:
        if event.kind not in _NEARER or self.host is None:
            return  # lines, speech, phases, endings only move deadlines later (or away)
        deadline = self.host.rooms.expiry.deadline_of(event.session_id)
        if deadline is not None and (self._at is None or deadline < self._at):
            # every other deadline is at _at or later (they only move later between these
            # events), so this one is the nearest now
            self._set(deadline)

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._at = None, None

    def _schedule(self) -> None:
        if self._loop is None or self.host is None or (self._task is not None and not self._task.done()):
            return  # stopped, or an expiry is running and will schedule again when it is done
        deadline = self.host.rooms.expiry.next_deadline()
        if deadline is None:
            self._cancel()
            return
        if self._at is not None and self._at <= deadline:
            return  # already set to wake up no later than that
        self._set(deadline)

    def _set(self, deadline: datetime) -> None:
        if self._loop is None or self.host is None or (self._task is not None and not self._task.done()):
            return
        self._cancel()
        delay = max(0.0, (deadline - self.host.now()).total_seconds()) + LATE
        self._at = deadline
        self._handle = self._loop.call_at(self._loop.time() + delay, self._fire)

    def _fire(self) -> None:
        self._handle, self._at = None, None
        self._task = asyncio.ensure_future(self._expire())

    async def _expire(self) -> None:
        host = self.host
        assert host is not None
        try:
            summaries = {}
            for due in host.rooms.expiry.due(host.now()):
                summaries[due.session_id] = await host.summary(due.session_id)
            # The clock moved while summaries were written; a slot reclaimed meanwhile is safe.
            for session in host.rooms.expiry.expire(host.now(), summaries):
                log.info("session %s ended by itself (%s)", session.session_id, session.end_reason)
        except Exception:
            log.exception("ending sessions on time failed")
        finally:
            self._task = None
            self._schedule()


def install(host: HostServer) -> Lifecycle:
    """Called by app.build_host: the timer starts and stops with the server."""
    lifecycle = Lifecycle()
    host.services.append(lifecycle)
    return lifecycle
