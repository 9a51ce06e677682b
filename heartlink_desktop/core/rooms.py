"""Matchmaking over any number of two-person sessions, as a pure state machine.

Every method takes `now`; every change is published as an Event to the subscribers, in order.
Nothing here does I/O: the server, the session files and the window react to the events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event, Listener
from heartlink_desktop.core.profile import SPICE_MAX, SPICE_MIN, Profile
from heartlink_desktop.core.session import (
    ACTIVE,
    ENDED,
    ROLES,
    WAITING,
    Session,
    iso,
    other_role,
)

PHASES = ("waiting", "icebreaker", "deep_dive", "decision")
LINE_MAX = 2000
AI_SPEAKER = "AI"
AI_NAME = "HeartLink"


@dataclass(frozen=True)
class JoinResult:
    session: Session
    role: str
    peer: dict[str, Any] | None


def clean_line(text: Any) -> str:
    """A transcript line as stored: text, whitespace folded, 1..LINE_MAX characters."""
    if not isinstance(text, str):
        raise CoreError("invalid_payload", "A transcript line must be text.")
    line = " ".join(text.split())
    if not line:
        raise CoreError("invalid_payload", "A transcript line cannot be empty.")
    if len(line) > LINE_MAX:
        raise CoreError("line_too_long", f"A transcript line can hold at most {LINE_MAX} characters.")
    return line


def full_message(max_pairs: int) -> str:
    users = 2 * max_pairs
    convs = "one conversation" if max_pairs == 1 else f"{max_pairs} conversations"
    return (
        f"Matchmaking room is full ({users} users max, {convs} at a time). "
        "Please try again when a conversation ends."
    )


class Rooms:
    def __init__(self, *, max_pairs: int = 1, spiciness: int = 2) -> None:
        if max_pairs < 1:
            raise ValueError("max_pairs must be at least 1")
        self.max_pairs = max_pairs
        self.spiciness = spiciness
        self._sessions: dict[str, Session] = {}  # live sessions, oldest first
        self._where: dict[str, tuple[str, str]] = {}  # sid -> (session_id, role)
        self._used_ids: set[str] = set()
        self._listeners: list[Listener] = []

    # -- observers ------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _publish(self, kind: str, session: Session, **data: Any) -> None:
        snapshot = None if kind == ev.DELETED else session.to_dict()
        event = Event(kind, session.session_id, data, snapshot)
        for listener in list(self._listeners):
            listener(event)

    # -- queries --------------------------------------------------------------------------
    @property
    def sessions(self) -> list[Session]:
        """Live sessions, oldest first."""
        return list(self._sessions.values())

    def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    def locate(self, sid: str) -> tuple[Session, str] | None:
        where = self._where.get(sid)
        if where is None:
            return None
        return self._sessions[where[0]], where[1]

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

    # -- matchmaking ----------------------------------------------------------------------
    def _new_id(self, now: datetime) -> str:
        base = "session_" + now.strftime("%Y%m%d_%H%M%S")
        candidate, n = base, 1
        while candidate in self._used_ids:
            n += 1
            candidate = f"{base}_{n}"
        self._used_ids.add(candidate)
        return candidate

    def _session_spice(self, profiles: dict[str, Profile]) -> int:
        level = self.spiciness
        for p in profiles.values():
            if p.spice_level is not None:
                level = min(level, p.spice_level)  # a peer may lower it, never raise it
        return level

    def has_room(self) -> bool:
        return any(s.status == WAITING for s in self._sessions.values()) or (
            len(self._sessions) < self.max_pairs
        )

    def join(self, sid: str, profile: Profile, now: datetime) -> JoinResult:
        if sid in self._where:
            raise CoreError("already_joined", "You are already in a conversation.")
        waiting = next((s for s in self._sessions.values() if s.status == WAITING), None)
        if waiting is None:
            if len(self._sessions) >= self.max_pairs:
                raise CoreError(
                    "session_full",
                    full_message(self.max_pairs),
                    {"max_pairs": self.max_pairs, "active_sessions": len(self._sessions)},
                )
            session = Session(self._new_id(now), created_at=now, spiciness=self.spiciness)
            session.participants["A"] = sid
            session.profiles["A"] = profile
            session.spiciness = self._session_spice(session.profiles)
            self._sessions[session.session_id] = session
            self._where[sid] = (session.session_id, "A")
            self._publish(ev.CREATED, session)
            self._publish(ev.JOINED, session, sid=sid, role="A", profile=profile.to_dict(), peer=None)
            return JoinResult(session, "A", None)
        session = waiting
        session.participants["B"] = sid
        session.profiles["B"] = profile
        session.spiciness = self._session_spice(session.profiles)
        session.status = ACTIVE
        session.phase = "icebreaker"
        session.phase_started_at = now
        session.last_activity = now
        self._where[sid] = (session.session_id, "B")
        peer = session.peer_info("A")
        self._publish(ev.JOINED, session, sid=sid, role="B", profile=profile.to_dict(), peer=peer)
        self._publish(ev.PHASE, session, phase=session.phase)
        return JoinResult(session, "B", peer)

    def check_target(self, sid: str, target: Any) -> str:
        """The signaling target if it is the sender's partner; else CoreError('invalid_target')."""
        partner = self.partner(sid)
        if not isinstance(target, str) or partner is None or target != partner:
            raise CoreError(
                "invalid_target",
                "Signaling can only go to your partner in the same conversation.",
            )
        return target

    # -- conversation ---------------------------------------------------------------------
    def add_line(self, sid: str, text: Any, now: datetime) -> dict[str, Any]:
        session, role = self.require(sid)
        line = clean_line(text)
        if session.status != ACTIVE:
            raise CoreError("not_active", "Your partner has not joined yet.")
        entry = {
            "speaker": role,
            "name": session.profiles[role].name,
            "text": line,
            "timestamp": iso(now),
        }
        session.transcript.append(entry)
        session.last_activity = now
        self._publish(ev.TRANSCRIPT, session, entry=dict(entry))
        return entry

    def set_speaking(self, sid: str, speaking: Any, now: datetime) -> None:
        session, role = self.require(sid)
        if not isinstance(speaking, bool):
            raise CoreError("invalid_payload", "audio_activity needs speaking: true or false.")
        session.speaking[role] = speaking
        session.last_audio_activity = now
        session.last_activity = now
        self._publish(ev.AUDIO, session, role=role, speaking=speaking)

    def add_interjection(
        self, session_id: str, text: str, now: datetime, *, source: str = "builtin"
    ) -> dict[str, Any]:
        session = self._sessions.get(session_id)
        if session is None or session.status != ACTIVE:
            raise CoreError("not_active", "That conversation is not active.")
        entry = {
            "speaker": AI_SPEAKER,
            "name": AI_NAME,
            "text": clean_line(text),
            "timestamp": iso(now),
            "source": source,
            "phase": session.phase,
        }
        session.transcript.append(entry)
        self._publish(ev.TRANSCRIPT, session, entry=dict(entry))
        return entry

    def set_phase(self, session_id: str, phase: str, now: datetime) -> None:
        session = self._sessions.get(session_id)
        if session is None or not session.live:
            raise CoreError("unknown_session", "That conversation is not live.")
        if phase not in PHASES:
            raise CoreError("invalid_phase", f"The phase must be one of {', '.join(PHASES)}.")
        if session.phase == phase:
            return
        session.phase = phase
        session.phase_started_at = now
        self._publish(ev.PHASE, session, phase=phase)

    def set_spiciness(self, level: int) -> None:
        """The host's level, for new sessions and (capped by the peers' own) live ones."""
        if not SPICE_MIN <= level <= SPICE_MAX:
            raise CoreError("invalid_spiciness", "Spiciness goes from 1 (Spark) to 4 (Inferno).")
        self.spiciness = level
        for session in self._sessions.values():
            new = self._session_spice(session.profiles)
            if new != session.spiciness:
                session.spiciness = new
                self._publish(ev.UPDATED, session)

    # -- endings --------------------------------------------------------------------------
    def end(self, session_id: str, reason: str, now: datetime, summary: str = "") -> Session:
        """End a live session: ENDED to everyone in it, then DELETED; its sids are free."""
        session = self._sessions.get(session_id)
        if session is None:
            raise CoreError("unknown_session", "That conversation has already ended.")
        sids = session.sids()
        for sid in sids:
            self._where.pop(sid, None)
        del self._sessions[session_id]
        session.status = ENDED
        session.ended_at = now
        session.end_reason = reason
        session.summary = summary
        session.speaking = {r: False for r in ROLES}
        self._publish(ev.ENDED, session, reason=reason, summary=summary, sids=sids)
        self._publish(ev.DELETED, session)
        return session

    def leave(self, sid: str, now: datetime, *, reason: str = "peer_left", summary: str = "") -> Session | None:
        """A participant leaves (or is gone): the partner hears LEFT, then the session ends."""
        found = self.locate(sid)
        if found is None:
            return None
        session, role = found
        self._publish(ev.LEFT, session, sid=sid, role=role)
        return self.end(session.session_id, reason, now, summary)

    def end_all(self, reason: str, now: datetime, summaries: dict[str, str] | None = None) -> list[Session]:
        summaries = summaries or {}
        return [
            self.end(s.session_id, reason, now, summaries.get(s.session_id, ""))
            for s in list(self._sessions.values())
        ]
