"""One conversation between two participants, in the seed's session schema."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.vocab import (
    ACTIVE,
    DEFAULT_SPICE,
    FACILITATOR_ID,
    PHASES,
    ROLE_A,
    ROLE_B,
    WAITING,
)

# Lifecycle: waiting -> active -> ended (-> deleted, when the record is dropped).


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def other_role(role: str) -> str:
    return ROLE_B if role == ROLE_A else ROLE_A


@dataclass
class Session:
    """One conversation between two participants, in the seed's session schema (`to_dict` is
    the session file). Created and changed only by the rooms (core/rooms.py and the parts that
    share its ledger); everyone else reads it."""

    session_id: str
    created_at: datetime
    spiciness: int = DEFAULT_SPICE
    participants: dict[str, str | None] = field(default_factory=lambda: {"A": None, "B": None})
    profiles: dict[str, Profile] = field(default_factory=dict)
    phase: str = PHASES[0]
    transcript: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    status: str = WAITING
    last_activity: datetime | None = None
    ended_at: datetime | None = None
    last_audio_activity: datetime | None = None
    speaking: dict[str, bool] = field(default_factory=lambda: {"A": False, "B": False})
    phase_started_at: datetime | None = None
    end_reason: str | None = None
    # Per-role resume secrets (never written to the file), and the slots held for a socket
    # that went away: role -> when the grace period runs out.
    resume: dict[str, str] = field(default_factory=dict, repr=False)
    reconnecting: dict[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.last_activity is None:
            self.last_activity = self.created_at

    @property
    def live(self) -> bool:
        return self.status in (WAITING, ACTIVE)

    def role_of(self, sid: str) -> str | None:
        for role, s in self.participants.items():
            if s == sid:
                return role
        return None

    def sids(self) -> list[str]:
        return [s for s in self.participants.values() if s]

    def peer_info(self, role: str) -> dict[str, Any] | None:
        sid = self.participants.get(role)
        profile = self.profiles.get(role)
        if sid is None or profile is None:
            return None
        return {"id": sid, "role": role, "profile": profile.for_partner(), "line": profile.one_line()}

    def to_dict(self, *, transcript: bool = True) -> dict[str, Any]:
        """The session file's content (the seed's schema plus ended_at and reconnecting).

        Without the transcript it costs the same at line 5,000 as at line 1."""
        out: dict[str, Any] = {
            "session_id": self.session_id,
            "participants": dict(self.participants),
            "agent": {"id": FACILITATOR_ID, "spiciness": self.spiciness},
            "phase": self.phase,
            "summary": self.summary,
            "status": self.status,
            "created_at": iso(self.created_at),
            "last_activity": iso(self.last_activity),
            "ended_at": iso(self.ended_at),
            "last_audio_activity": iso(self.last_audio_activity),
            "end_reason": self.end_reason,
            "participant_profiles": {r: p.to_dict() for r, p in self.profiles.items()},
            "reconnecting": {r: iso(t) for r, t in self.reconnecting.items()},
        }
        if transcript:
            out["transcript"] = copy.deepcopy(self.transcript)
        return out
