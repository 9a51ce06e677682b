"""When a session ends by itself: a held slot's grace running out, or a timeout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.ledger import Ledger
from heartlink_desktop.core.session import Session
from heartlink_desktop.core.vocab import ACTIVE, PEER_DISCONNECTED, TIMEOUT, WAITING


@dataclass(frozen=True)
class Due:
    """A session that should end: a held slot ran out of grace, or a timeout."""

    session_id: str
    reason: str  # PEER_DISCONNECTED | TIMEOUT
    role: str | None = None  # the participant who did not come back
    sid: str | None = None  # that participant's last socket


def deadlines(
    session: Session, waiting_timeout: timedelta | None, idle_timeout: timedelta | None
) -> list[tuple[datetime, Due]]:
    """Every moment `session` would end if nothing happened before it, earliest first.

    A waiting session times out `waiting_timeout` after it opened; an active one
    `idle_timeout` after its last transcript line or speech (the facilitator's own lines do
    not keep a silent pair alive).
    """
    sid = session.session_id
    out = [
        (until, Due(sid, PEER_DISCONNECTED, role, session.participants.get(role)))
        for role, until in session.reconnecting.items()
    ]
    if session.status == WAITING and waiting_timeout is not None:
        out.append((session.created_at + waiting_timeout, Due(sid, TIMEOUT)))
    if session.status == ACTIVE and idle_timeout is not None:
        assert session.last_activity is not None
        out.append((session.last_activity + idle_timeout, Due(sid, TIMEOUT)))
    return sorted(out, key=lambda d: d[0])


Ender = Callable[[str, str, datetime, str], Session]  # Rooms.end(session_id, reason, now, summary)


class Expiry:
    """When the rooms' sessions end by themselves, and ending them: `rooms.expiry`, so that a
    timer outside (server/lifecycle.py) can ask `next_deadline()` and call `expire(now)`.
    Holds the rooms' ledger and the rooms' way to end a session."""

    def __init__(
        self,
        ledger: Ledger,
        end: Ender,
        waiting_timeout: timedelta | None,
        idle_timeout: timedelta | None,
    ) -> None:
        self._ledger = ledger
        self._end = end
        self.waiting_timeout = waiting_timeout
        self.idle_timeout = idle_timeout

    def _deadlines(self, session: Session) -> list[tuple[datetime, Due]]:
        return deadlines(session, self.waiting_timeout, self.idle_timeout)

    def deadline_of(self, session_id: str) -> datetime | None:
        """When that one session is due to end by itself (None: never, or not live)."""
        session = self._ledger.get(session_id)
        found = self._deadlines(session) if session is not None else []
        return found[0][0] if found else None

    def next_deadline(self) -> datetime | None:
        """When the next session is due to end by itself, if nothing happens before."""
        times = [d[0][0] for s in self._ledger.sessions.values() if (d := self._deadlines(s))]
        return min(times, default=None)

    def due(self, now: datetime) -> list[Due]:
        """Sessions that should end at `now`, one entry each (the earliest reason)."""
        out = []
        for session in self._ledger.sessions.values():
            first = next(iter(self._deadlines(session)), None)
            if first is not None and first[0] <= now:
                out.append(first[1])
        return out

    def expire(self, now: datetime, summaries: dict[str, str] | None = None) -> list[Session]:
        """End every session that is due at `now`; a slot's grace running out counts as a
        disconnect (LEFT, then ENDED peer_disconnected), a timeout ends with reason timeout."""
        summaries = summaries or {}
        ended = []
        for d in self.due(now):
            session = self._ledger.get(d.session_id)
            if session is None:
                continue
            if d.role is not None:
                self._ledger.publish(ev.LEFT, session, sid=d.sid, role=d.role)
            ended.append(self._end(d.session_id, d.reason, now, summaries.get(d.session_id, "")))
        return ended
