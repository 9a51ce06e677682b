"""A socket that went away, and the one that comes back: the slot held for a grace period
and taken back with its resume secret. Pure; it works on the rooms' ledger."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.ledger import JoinResult, Ledger
from heartlink_desktop.core.session import Session, iso, other_role

INVALID_RESUME = (
    "That conversation cannot be resumed: it has ended, or the wait for you ran out. "
    "Join again to start a new one."
)


class Holds:
    """Held slots: `rooms.holds`, sharing the rooms' ledger. The host calls `drop` when a
    socket goes and `reclaim` when a new one presents a resume secret; the relay asks
    `secret_of` to give each participant theirs. A grace of 0 holds nothing."""

    def __init__(self, ledger: Ledger, grace: timedelta, secret: Callable[[], str]) -> None:
        self._ledger = ledger
        self.grace = grace
        self._secret = secret

    def secret_of(self, sid: str) -> str | None:
        """The resume secret of a connected participant (None when reclaim is off)."""
        found = self._ledger.locate(sid)
        if found is None or not self.grace:
            return None
        return found[0].resume.get(found[1])

    def drop(self, sid: str, now: datetime) -> bool:
        """`sid`'s socket is gone. True: its slot is held for the grace period. False: no
        grace (or not in a session); the caller ends the session as for a leave."""
        found = self._ledger.locate(sid)
        if found is None or not self.grace:
            return False
        session, role = found
        until = now + self.grace
        del self._ledger.where[sid]
        session.reconnecting[role] = until
        session.speaking[role] = False
        self._ledger.publish(
            ev.PEER_STATUS, session, role=role, state=ev.RECONNECTING, sid=sid, until=iso(until)
        )
        return True

    def reclaim(self, secret: Any, sid: str, now: datetime) -> JoinResult:
        """Give a held slot to the new socket `sid` that presents the slot's resume secret.

        The secret is replaced (it works once), only matches its own slot, only while that
        slot's socket is gone and the grace has not run out, and dies with the session.
        """
        if sid in self._ledger.where:
            raise CoreError("already_joined", "This connection is already in a conversation.")
        if not self.grace or not isinstance(secret, str) or not secret:
            raise CoreError("invalid_resume", INVALID_RESUME)
        match: tuple[Session, str] | None = None
        for session in self._ledger.sessions.values():
            for role, known in session.resume.items():
                if hmac.compare_digest(known.encode(), secret.encode()):
                    match = (session, role)
        if match is None:
            raise CoreError("invalid_resume", INVALID_RESUME)
        session, role = match
        until = session.reconnecting.get(role)
        if until is None:  # its socket is still here (the caller may wait for it to go)
            raise CoreError("invalid_resume", INVALID_RESUME, {"in_use": True})
        if now >= until:
            raise CoreError("invalid_resume", INVALID_RESUME)
        old = session.participants[role]
        del session.reconnecting[role]
        session.participants[role] = sid
        session.resume[role] = self._secret()
        self._ledger.where[sid] = (session.session_id, role)
        self._ledger.publish(ev.PEER_STATUS, session, role=role, state=ev.CONNECTED, sid=sid, old_sid=old)
        return JoinResult(session, role, session.peer_info(other_role(role)))
