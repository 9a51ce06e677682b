"""The line of people waiting for a free conversation slot: first come, first served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.session import iso


@dataclass(frozen=True)
class Waiting:
    sid: str
    profile: Profile
    since: datetime


class Waitlist:
    """An ordered line of sockets; positions are 1-based, the first in line is served first."""

    def __init__(self) -> None:
        self._entries: list[Waiting] = []

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, sid: object) -> bool:
        return any(w.sid == sid for w in self._entries)

    @property
    def entries(self) -> list[Waiting]:
        return list(self._entries)

    def position(self, sid: str) -> int:
        """1 for the first in line; 0 when `sid` is not in the line."""
        for n, w in enumerate(self._entries, 1):
            if w.sid == sid:
                return n
        return 0

    def positions(self) -> dict[str, int]:
        return {w.sid: n for n, w in enumerate(self._entries, 1)}

    def add(self, sid: str, profile: Profile, now: datetime) -> int:
        self._entries.append(Waiting(sid, profile, now))
        return len(self._entries)

    def remove(self, sid: str) -> Waiting | None:
        for n, w in enumerate(self._entries):
            if w.sid == sid:
                return self._entries.pop(n)
        return None

    def pop(self) -> Waiting | None:
        return self._entries.pop(0) if self._entries else None

    def clear(self) -> list[Waiting]:
        gone, self._entries = self._entries, []
        return gone

    def to_list(self) -> list[dict[str, Any]]:
        """JSON-ready, for observers (the window shows names and how long each has waited)."""
        return [
            {"sid": w.sid, "name": w.profile.name, "position": n, "since": iso(w.since)}
            for n, w in enumerate(self._entries, 1)
        ]
