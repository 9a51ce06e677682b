"""The live sessions and who sits where: the one owner of the rooms' state, shared by the
parts of the rooms (pairing in `Rooms`, what is said in `Talk`, when a session ends by itself
in `Expiry`), each of which holds the same ledger and changes sessions only through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event, Listener, Publisher
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.session import Session, other_role


@dataclass(frozen=True)
class JoinResult:
    """Where a join (or a reclaim) seated a socket: the session, its role, and the partner's
    peer info when there is a partner already."""

    session: Session
    role: str
    peer: dict[str, Any] | None


class Ledger:
    """The rooms' state and the delivery of its changes.

    Attributes:
        sessions: live sessions by id, oldest first.
        where: connected socket id -> (session id, role).
        spiciness: the host's level; a session's own is this, lowered by its peers.
        events: the observers of every change (`publish` tells them).

    Held by `Rooms`, which creates it and hands it to `Talk` and `Expiry`; nothing outside the
    core touches it (observers read through `Rooms.get` / `Rooms.locate`)."""

    def __init__(self, spiciness: int) -> None:
        self.sessions: dict[str, Session] = {}
        self.where: dict[str, tuple[str, str]] = {}
        self.spiciness = spiciness
        self.events = Publisher()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.events.subscribe(listener)

    def publish(self, kind: str, session: Session, **data: Any) -> None:
        self.events.emit(Event(kind, session.session_id, data))

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def locate(self, sid: str) -> tuple[Session, str] | None:
        where = self.where.get(sid)
        if where is None:
            return None
        return self.sessions[where[0]], where[1]

    def require(self, sid: str) -> tuple[Session, str]:
        found = self.locate(sid)
        if found is None:
            raise CoreError("not_in_session", "You are not in a conversation. Join first.")
        return found

    def partner(self, sid: str) -> str | None:
        found = self.locate(sid)
        if found is None:
            return None
        session, role = found
        return session.participants.get(other_role(role))

    def spice_of(self, profiles: dict[str, Profile]) -> int:
        """A session's level: the host's, lowered (never raised) by each peer's own."""
        level = self.spiciness
        for p in profiles.values():
            if p.spice_level is not None:
                level = min(level, p.spice_level)
        return level
