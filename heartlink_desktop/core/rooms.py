"""Matchmaking over any number of two-person sessions, as a pure state machine.

Every method takes `now`; every change is published as an Event to the subscribers, in order.
An event carries what changed, not a copy of the session (`snapshot(id)` makes one on request).
Nothing here does I/O: the server, the session files and the window react to the events.
Besides pairing, the rooms hold a slot for a participant whose socket went away (reclaimed
with its resume secret within the grace period), keep a first-come-first-served line of
newcomers when every slot is taken, and say when a session is due to end by itself
(`next_deadline()`, `due(now)`, `expire(now)`), so a timer outside can carry it out.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.deadlines import Expiry
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event, Listener
from heartlink_desktop.core.ledger import JoinResult, Ledger
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.reclaim import Holds
from heartlink_desktop.core.session import Session
from heartlink_desktop.core.transcript import Talk
from heartlink_desktop.core.vocab import ACTIVE, ENDED, FIRST_TALKING_PHASE, PEER_LEFT, ROLES, WAITING
from heartlink_desktop.core.waitlist import (
    KeepWaiting,
    MayMeet,
    OpenAlone,
    SitWith,
    Waiting,
    Waitlist,
    anyone,
    place,
)


@dataclass(frozen=True)
class Queued:
    """A join that found every slot taken and was put in line (position is 1-based)."""

    position: int

    @property
    def ahead(self) -> int:
        return self.position - 1


def new_secret() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def full_message(max_pairs: int) -> str:
    users = 2 * max_pairs
    convs = "one conversation" if max_pairs == 1 else f"{max_pairs} conversations"
    return (
        f"Matchmaking room is full ({users} users max, {convs} at a time). "
        "Please try again when a conversation ends."
    )


class Rooms:
    """Matchmaking, the line of newcomers, reclaim and endings.

    Owns the `Ledger` (core/ledger.py: the live sessions, who sits where, the observers) and
    two parts that share it: `talk` (core/transcript.py: what is said inside a conversation)
    and `expiry` (core/deadlines.py: when a session ends by itself). The server's handlers,
    the host and the evening call it; every change reaches the observers as an `Event`."""

    def __init__(
        self,
        *,
        max_pairs: int = 1,
        spiciness: int = 2,
        grace_seconds: float = 0.0,
        queue: bool = False,
        waiting_timeout: float | None = None,
        idle_timeout: float | None = None,
        secret: Callable[[], str] = new_secret,
        person_of: Callable[[str], str] = str,
        may_meet: MayMeet = anyone,
    ) -> None:
        """grace_seconds 0 ends a session as soon as a socket goes; timeouts None never fire.
        `person_of` names the person behind a socket (the same across sockets), `may_meet`
        says who may sit together (the host's meet mode and its never-again pairs)."""
        if max_pairs < 1:
            raise ValueError("max_pairs must be at least 1")
        self.max_pairs = max_pairs
        self.grace = timedelta(seconds=grace_seconds)
        self.queue = queue
        self._secret = secret
        self.person_of = person_of
        self.may_meet = may_meet
        # An id a session of an earlier run still answers to (an evening's "again?" question
        # kept across a crash): never given again, even within the same second.
        self.id_taken: Callable[[str], bool] = lambda _session_id: False
        self._ledger = Ledger(spiciness)
        self._line = Waitlist()
        self._reasons: dict[str, str | None] = {}  # in line: why they wait (NOBODY_TO_MEET or None)
        self._used_ids: set[str] = set()
        self.talk = Talk(self._ledger)
        self.holds = Holds(self._ledger, self.grace, secret)
        self.expiry = Expiry(
            self._ledger,
            self.end,
            None if waiting_timeout is None else timedelta(seconds=waiting_timeout),
            None if idle_timeout is None else timedelta(seconds=idle_timeout),
        )

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every change, in order (returns the way to stop)."""
        return self._ledger.subscribe(listener)

    @property
    def spiciness(self) -> int:
        """The host's level (a session's own may be lower: its peers may lower it)."""
        return self._ledger.spiciness

    # -- queries --------------------------------------------------------------------------
    @property
    def sessions(self) -> list[Session]:
        """Live sessions, oldest first."""
        return list(self._ledger.sessions.values())

    def get(self, session_id: str) -> Session | None:
        return self._ledger.sessions.get(session_id)

    def snapshot(self, session_id: str, *, transcript: bool = True) -> dict[str, Any] | None:
        """A JSON-ready copy of a live session (the session file's shape), or None."""
        session = self._ledger.sessions.get(session_id)
        return None if session is None else session.to_dict(transcript=transcript)

    def locate(self, sid: str) -> tuple[Session, str] | None:
        return self._ledger.locate(sid)

    def require(self, sid: str) -> tuple[Session, str]:
        return self._ledger.require(sid)

    @property
    def line(self) -> list[Waiting]:
        """Who waits for a slot, first in line first."""
        return self._line.entries

    def position(self, sid: str) -> int:
        """The place of `sid` in the line (1 is next), or 0 when it is not waiting."""
        return self._line.position(sid)

    def secret_of(self, sid: str) -> str | None:
        """The resume secret of a connected participant (None when reclaim is off)."""
        return self.holds.secret_of(sid)

    def partner(self, sid: str) -> str | None:
        return self._ledger.partner(sid)

    # -- matchmaking ----------------------------------------------------------------------
    def _new_id(self, now: datetime) -> str:
        base = "session_" + now.strftime("%Y%m%d_%H%M%S")
        candidate, n = base, 1
        while candidate in self._used_ids or self.id_taken(candidate):
            n += 1
            candidate = f"{base}_{n}"
        self._used_ids.add(candidate)
        return candidate

    def has_room(self) -> bool:
        return any(s.status == WAITING for s in self._ledger.sessions.values()) or (
            len(self._ledger.sessions) < self.max_pairs
        )

    def _full(self) -> CoreError:
        return CoreError(
            "session_full",
            full_message(self.max_pairs),
            {"max_pairs": self.max_pairs, "active_sessions": len(self._ledger.sessions)},
        )

    def join(self, sid: str, profile: Profile, now: datetime) -> JoinResult:
        """Seat `sid` with the one who waited longest alone and may meet them, or alone in a
        new session; CoreError when there is no place for them."""
        seated = self._join(sid, profile, now, queue=False)
        assert isinstance(seated, JoinResult)
        return seated

    def join_or_queue(self, sid: str, profile: Profile, now: datetime) -> JoinResult | Queued:
        """As `join`, but with the queue on, a newcomer with no place gets in line."""
        return self._join(sid, profile, now, queue=self.queue)

    def _join(self, sid: str, profile: Profile, now: datetime, *, queue: bool) -> JoinResult | Queued:
        if sid in self._ledger.where:
            raise CoreError("already_joined", "You are already in a conversation.")
        if sid in self._line:
            raise CoreError("already_queued", "You are already in line for a conversation.")
        self._serve_line(now)  # those in line first: nobody jumps it
        me = Waiting(sid, profile, now, self.person_of(sid))
        alone = self._alone()
        waiting = list(self._waiting_alone().values())
        placement = place([me], waiting, self._free_slots(), self.may_meet)[0]
        if isinstance(placement, SitWith):
            session = alone[placement.partner.sid]
            return JoinResult(session, "B", self._fill(session, sid, profile, now))
        if isinstance(placement, OpenAlone):
            return JoinResult(self._open(sid, profile, now, placement.reason), "A", None)
        if not queue:
            raise self._full()
        before = self._line.positions()
        position = self._line.add(sid, profile, now, me.person)
        self._reasons[sid] = placement.reason
        self._publish_line(before, [])
        return Queued(position)

    def _alone(self) -> dict[str, Session]:
        """Sessions whose A waits for a partner, by A's socket, oldest first."""
        return {
            sid: s
            for s in self._ledger.sessions.values()
            if s.status == WAITING and (sid := s.participants.get("A")) is not None
        }

    def _free_slots(self) -> int:
        return max(0, self.max_pairs - len(self._ledger.sessions))

    def _waiting_alone(self) -> dict[str, Waiting]:
        return {
            sid: Waiting(sid, s.profiles["A"], s.created_at, self.person_of(sid))
            for sid, s in self._alone().items()
        }

    def _open(self, sid: str, profile: Profile, now: datetime, wait_reason: str | None = None) -> Session:
        """A new session with `sid` as A, waiting for B (`wait_reason`: why, when others wait)."""
        session = Session(self._new_id(now), created_at=now, spiciness=self.spiciness)
        session.participants["A"] = sid
        session.profiles["A"] = profile
        session.resume["A"] = self._secret()
        session.spiciness = self._ledger.spice_of(session.profiles)
        self._ledger.sessions[session.session_id] = session
        self._ledger.where[sid] = (session.session_id, "A")
        self._ledger.publish(ev.CREATED, session)
        self._ledger.publish(
            ev.JOINED,
            session,
            sid=sid,
            role="A",
            profile=profile.to_dict(),
            line=profile.one_line(),
            peer=None,
            status=WAITING,
            wait_reason=wait_reason,
        )
        return session

    def _fill(self, session: Session, sid: str, profile: Profile, now: datetime) -> dict[str, Any] | None:
        """Seat `sid` as B in a waiting session: it becomes active. Returns A's peer info."""
        session.participants["B"] = sid
        session.profiles["B"] = profile
        session.resume["B"] = self._secret()
        session.spiciness = self._ledger.spice_of(session.profiles)
        session.status = ACTIVE
        session.phase = FIRST_TALKING_PHASE
        session.phase_started_at = now
        session.last_activity = now
        self._ledger.where[sid] = (session.session_id, "B")
        peer = session.peer_info("A")
        self._ledger.publish(
            ev.JOINED,
            session,
            sid=sid,
            role="B",
            profile=profile.to_dict(),
            line=profile.one_line(),
            peer=peer,
            status=ACTIVE,
        )
        self._ledger.publish(ev.PHASE, session, phase=session.phase)
        return peer

    def pair(self, a: tuple[str, Profile], b: tuple[str, Profile], now: datetime) -> Session:
        """Seat two given people together in a new session, as if A joined, then B (an
        evening's round decides who meets whom; the slot limit is the evening's, not this)."""
        for sid, _ in (a, b):
            if sid in self._ledger.where or sid in self._line:
                raise CoreError("already_joined", "That person is already in a conversation.")
        session = self._open(a[0], a[1], now)
        self._fill(session, b[0], b[1], now)
        return session

    # -- the line of newcomers ------------------------------------------------------------
    def _publish_line(
        self, before: dict[str, int], removed: list[dict[str, str]], told: list[str] | None = None
    ) -> None:
        after = self._line.positions()
        moved = [sid for sid, n in after.items() if before.get(sid) != n or sid in (told or ())]
        reasons = {sid: self._reasons.get(sid) for sid in moved}
        data = {"line": self._line.to_list(), "moved": moved, "removed": removed, "reasons": reasons}
        self._ledger.events.emit(Event(ev.QUEUE, "", data))

    def leave_line(self, sid: str, *, reason: str = "left") -> bool:
        """Take `sid` out of the line ("left": it asked; "gone": its socket went)."""
        before = self._line.positions()
        if self._line.remove(sid) is None:
            return False
        self._reasons.pop(sid, None)
        self._publish_line(before, [{"sid": sid, "reason": reason}])
        return True

    def clear_line(self) -> list[str]:
        before = self._line.positions()
        gone = [w.sid for w in self._line.clear()]
        self._reasons.clear()
        if gone:
            self._publish_line(before, [{"sid": s, "reason": "cleared"} for s in gone])
        return gone

    def _serve_line(self, now: datetime) -> None:
        """Seat those in line who have a place now (a slot freed, someone they may meet came)."""
        if not self._line:
            return
        before = self._line.positions()
        alone = self._alone()
        removed: list[dict[str, str]] = []
        told: list[str] = []
        for p in place(
            self._line.entries, list(self._waiting_alone().values()), self._free_slots(), self.may_meet
        ):
            sid = p.person.sid
            if isinstance(p, KeepWaiting):
                if self._reasons.get(sid) != p.reason:
                    self._reasons[sid] = p.reason
                    told.append(sid)
                continue
            self._line.remove(sid)
            self._reasons.pop(sid, None)
            removed.append({"sid": sid, "reason": "paired"})
            if isinstance(p, SitWith):
                self._fill(alone[p.partner.sid], sid, p.person.profile, now)
            else:
                alone[sid] = self._open(sid, p.person.profile, now, p.reason)
        if removed or told:
            self._publish_line(before, removed, told)

    # -- a socket that went away, and the one that comes back -----------------------------
    def drop(self, sid: str, now: datetime) -> bool:
        """`sid`'s socket is gone: True when its slot is held (core/reclaim.py)."""
        return self.holds.drop(sid, now)

    def reclaim(self, secret: Any, sid: str, now: datetime) -> JoinResult:
        """A new socket takes back a held slot with its resume secret (core/reclaim.py)."""
        if sid in self._line:
            raise CoreError("already_joined", "This connection is already in a conversation.")
        return self.holds.reclaim(secret, sid, now)

    # -- endings --------------------------------------------------------------------------
    def end(self, session_id: str, reason: str, now: datetime, summary: str = "") -> Session:
        """End a live session: ENDED to everyone in it, then DELETED; its sids are free."""
        session = self._ledger.sessions.get(session_id)
        if session is None:
            raise CoreError("unknown_session", "That conversation has already ended.")
        sids = session.sids()
        for sid in sids:
            self._ledger.where.pop(sid, None)
        del self._ledger.sessions[session_id]
        session.status = ENDED
        session.ended_at = now
        session.end_reason = reason
        session.summary = summary
        session.speaking = {r: False for r in ROLES}
        session.reconnecting.clear()
        session.resume.clear()  # no secret outlives its session
        self._ledger.publish(ev.ENDED, session, reason=reason, summary=summary, sids=sids)
        self._ledger.publish(ev.DELETED, session)
        self._serve_line(now)
        return session

    def leave(self, sid: str, now: datetime, *, reason: str = PEER_LEFT, summary: str = "") -> Session | None:
        """A participant leaves (or is gone): the partner hears LEFT, then the session ends."""
        found = self.locate(sid)
        if found is None:
            return None
        session, role = found
        self._ledger.publish(ev.LEFT, session, sid=sid, role=role)
        return self.end(session.session_id, reason, now, summary)

    def end_all(self, reason: str, now: datetime, summaries: dict[str, str] | None = None) -> list[Session]:
        """End everything; the line is emptied first, so nobody is seated on the way out."""
        summaries = summaries or {}
        self.clear_line()
        return [
            self.end(s.session_id, reason, now, summaries.get(s.session_id, ""))
            for s in list(self._ledger.sessions.values())
        ]
