"""What happens inside a live conversation: its lines (a person's and the facilitator's),
the speaking flags, the phase, the spiciness, and who may signal whom. Pure; it changes the
sessions through the rooms' `Ledger` and publishes through it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.ledger import Ledger
from heartlink_desktop.core.session import iso
from heartlink_desktop.core.vocab import (
    ACTIVE,
    FACILITATOR_NAME,
    FACILITATOR_SPEAKER,
    PHASES,
    SPICE_MAX,
    SPICE_MIN,
    SPICE_NAMES,
)

LINE_MAX = 2000


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


class Talk:
    """What is said and signalled inside the live conversations: `rooms.talk`. The protocol
    handlers call it for a peer's line, speaking flag and signaling target; the facilitator
    for its own lines and the phase; the host for the spiciness. Holds the rooms' ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def check_target(self, sid: str, target: Any) -> str:
        """The signaling target if it is the sender's partner; else CoreError('invalid_target')."""
        partner = self._ledger.partner(sid)
        if not isinstance(target, str) or partner is None or target != partner:
            raise CoreError(
                "invalid_target",
                "Signaling can only go to your partner in the same conversation.",
            )
        return target

    def add_line(self, sid: str, text: Any, now: datetime) -> dict[str, Any]:
        session, role = self._ledger.require(sid)
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
        self._ledger.publish(ev.TRANSCRIPT, session, entry=dict(entry))
        return entry

    def set_speaking(self, sid: str, speaking: Any, now: datetime) -> None:
        session, role = self._ledger.require(sid)
        if not isinstance(speaking, bool):
            raise CoreError("invalid_payload", "audio_activity needs speaking: true or false.")
        session.speaking[role] = speaking
        session.last_audio_activity = now
        session.last_activity = now
        self._ledger.publish(ev.AUDIO, session, role=role, speaking=speaking)

    def add_interjection(
        self, session_id: str, text: str, now: datetime, *, source: str = "builtin"
    ) -> dict[str, Any]:
        session = self._ledger.get(session_id)
        if session is None or session.status != ACTIVE:
            raise CoreError("not_active", "That conversation is not active.")
        entry = {
            "speaker": FACILITATOR_SPEAKER,
            "name": FACILITATOR_NAME,
            "text": clean_line(text),
            "timestamp": iso(now),
            "source": source,
            "phase": session.phase,
        }
        session.transcript.append(entry)
        self._ledger.publish(ev.TRANSCRIPT, session, entry=dict(entry))
        return entry

    def set_phase(self, session_id: str, phase: str, now: datetime) -> None:
        session = self._ledger.get(session_id)
        if session is None or not session.live:
            raise CoreError("unknown_session", "That conversation is not live.")
        if phase not in PHASES:
            raise CoreError("invalid_phase", f"The phase must be one of {', '.join(PHASES)}.")
        if session.phase == phase:
            return
        session.phase = phase
        session.phase_started_at = now
        self._ledger.publish(ev.PHASE, session, phase=phase)

    def set_spiciness(self, level: int) -> None:
        """The host's level, for new sessions and (capped by the peers' own) live ones."""
        if not SPICE_MIN <= level <= SPICE_MAX:
            raise CoreError(
                "invalid_spiciness",
                f"Spiciness goes from {SPICE_MIN} ({SPICE_NAMES[SPICE_MIN]}) to {SPICE_MAX} ({SPICE_NAMES[SPICE_MAX]}).",
            )
        self._ledger.spiciness = level
        for session in self._ledger.sessions.values():
            new = self._ledger.spice_of(session.profiles)
            if new != session.spiciness:
                session.spiciness = new
                self._ledger.publish(ev.UPDATED, session)
