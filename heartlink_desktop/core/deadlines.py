"""When a session ends by itself: a held slot's grace running out, or a timeout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from heartlink_desktop.core.session import ACTIVE, WAITING, Session
from heartlink_desktop.core.vocab import PEER_DISCONNECTED, TIMEOUT


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
