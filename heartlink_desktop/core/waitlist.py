"""The line of people waiting for a free conversation slot, and where each newcomer sits.

First come, first served, among those who may meet: `place` seats each person with the one
who has waited longest alone in a conversation and may meet them (compatible profiles, never
a blocked pair), else opens a new conversation for them while a slot is free, else keeps them
in line, and says when they wait because nobody here can meet them yet. Pure: the rooms carry
the placements out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heartlink_desktop.core.compat import PairCheck, compatible
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.session import iso
from heartlink_desktop.core.vocab import DEFAULT_MEET_MODE, NOBODY_TO_MEET


@dataclass(frozen=True)
class Waiting:
    """Someone waiting (in line, or alone in a conversation): their socket, profile, since
    when, and the stable key of the person (their socket's sid when the caller gives none)."""

    sid: str
    profile: Profile
    since: datetime
    person: str = ""

    @property
    def key(self) -> str:
        return self.person or self.sid


MayMeet = Callable[[Waiting, Waiting], bool]


def anyone(a: Waiting, b: Waiting) -> bool:
    """Today's rule: everyone may meet everyone."""
    return True


def meeting_rule(mode: str = DEFAULT_MEET_MODE, safety: PairCheck | None = None) -> MayMeet:
    """Who may sit together: compatible under the host's mode, and not kept apart by `safety`."""

    def may_meet(a: Waiting, b: Waiting) -> bool:
        if not compatible(a.profile, b.profile, mode):
            return False
        return safety is None or safety.may_pair(a.key, b.key)

    return may_meet


@dataclass(frozen=True)
class SitWith:
    """`person` sits with `partner`, who waited alone in a conversation: it begins."""

    person: Waiting
    partner: Waiting


@dataclass(frozen=True)
class OpenAlone:
    """`person` starts a new conversation and waits in it for a partner. `reason` is
    NOBODY_TO_MEET when others wait alone whom they may not meet, else None."""

    person: Waiting
    reason: str | None


@dataclass(frozen=True)
class KeepWaiting:
    """No slot for `person`: they wait in line. `reason` is NOBODY_TO_MEET when someone waits
    alone in a conversation whom they may not meet, None when every slot is in a conversation."""

    person: Waiting
    reason: str | None


Placement = SitWith | OpenAlone | KeepWaiting


def first_match(person: Waiting, alone: Sequence[Waiting], may_meet: MayMeet = anyone) -> Waiting | None:
    """Of those waiting alone (in order of arrival), the first `person` may meet, or None."""
    return next((w for w in alone if w.key != person.key and may_meet(person, w)), None)


def nobody_to_meet(person: Waiting, others: Sequence[Waiting], may_meet: MayMeet = anyone) -> bool:
    """True when others wait but `person` may meet none of them (they are told so)."""
    rest = [w for w in others if w.key != person.key]
    return bool(rest) and first_match(person, rest, may_meet) is None


def place(
    line: Sequence[Waiting], alone: Sequence[Waiting], free_slots: int, may_meet: MayMeet = anyone
) -> list[Placement]:
    """Where each person of `line` goes, taken in order (a newcomer is the last of the line).

    `alone`: those waiting alone in a conversation, oldest first; `free_slots`: how many new
    conversations may open. Each person sits with the first of `alone` they may meet, else
    opens a conversation while a slot is free (and the next in line may then sit with them),
    else keeps waiting. One placement per person, in the order of `line`.
    """
    seats = sorted(alone, key=lambda w: w.since)  # stable: the caller's order among equals
    slots = free_slots
    out: list[Placement] = []
    for person in line:
        partner = first_match(person, seats, may_meet)
        reason = NOBODY_TO_MEET if seats else None
        if partner is not None:
            seats.remove(partner)
            out.append(SitWith(person, partner))
        elif slots > 0:
            slots -= 1
            out.append(OpenAlone(person, reason))
            seats.append(person)
        else:
            out.append(KeepWaiting(person, reason))
    return out


class Waitlist:
    """An ordered line of sockets; positions are 1-based, the first in line is served first.
    Owned by the rooms (core/rooms.py); `place` says whom of the line to seat where."""

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

    def add(self, sid: str, profile: Profile, now: datetime, person: str = "") -> int:
        self._entries.append(Waiting(sid, profile, now, person))
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
