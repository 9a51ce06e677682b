"""Safe to meet strangers, on the server: who may join, reports, removals, who may meet whom."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.again import Answers
from heartlink_desktop.core.compat import compatible, meet_mode
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event, Hooks
from heartlink_desktop.core.notices import ReportTaken
from heartlink_desktop.core.ports import Clock, News, Notify, People, RoomsView
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.safety import Removal, Report, Safety, name_key
from heartlink_desktop.core.waitlist import Waiting

log = logging.getLogger(__name__)

DEVICE_MIN, DEVICE_MAX = 16, 128  # the page's own secret (localStorage), in characters


def device_key(payload: Any) -> str | None:
    """The person key of a page's own secret (`join.device`), or None when it sent none."""
    device = payload.get("device") if isinstance(payload, dict) else None
    if not isinstance(device, str) or not DEVICE_MIN <= len(device) <= DEVICE_MAX:
        return None
    return "d:" + hashlib.sha256(device.encode()).hexdigest()[:32]


class Door(Protocol):
    """What the guard asks of the host (server/host.py `HostServer`)."""

    def show_out(self, sid: str) -> Awaitable[None]:
        """End the socket's conversation as a leave, take it out of the line and the evening,
        tell it it was removed, close it."""
        ...

    def end_as_leave(self, sid: str) -> None:
        """End the socket's conversation as if it left (the partner hears peer_left)."""
        ...


class Guard:
    """Reports, removals and the meet mode, kept until a reset.

    Holds the pure `Safety` (core/safety.py) and knows every person who joined: their name,
    their socket, their keys (the socket's person, the page's own secret). The entries (the
    host's matchmaking and the evening) call `admit` on each join; the namespace `report`; the
    window and standard input `remove`, `undo`, `reports`, `people`; the rooms and the rounds
    ask `may_meet`. The host makes it and is its `Door`; the evening saves `safety` in its file."""

    def __init__(
        self,
        rooms: RoomsView,
        people: People,
        notify: Notify,
        news: News,
        clock: Clock,
        door: Door,
        mode: str,
    ) -> None:
        self.safety = Safety()
        self.mode = meet_mode(mode)
        self._rooms = rooms
        self._people = people
        self._notify = notify
        self._news = news
        self._clock = clock
        self._door = door
        self._keys: dict[str, set[str]] = {}  # person -> every key they joined with
        self._names: dict[str, str] = {}  # person -> name
        self.answers: Callable[[], Answers] | None = None  # "again?" answers, to decline a reported one
        self._changed = Hooks("the guard")
        rooms.subscribe(self._on_event)

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Hear of every report and removal (the evening saves its file then)."""
        return self._changed.subscribe(listener)

    # -- joining -----------------------------------------------------------------------------
    def admit(self, sid: str, person: str | None, profile: Profile, payload: Any) -> str:
        """Check a join: CoreError('removed') for a removed person, page or name. Returns the
        person key to bind the socket to (given, else the page's own secret's, else the socket)."""
        device = device_key(payload)
        keys = {k for k in (person, device, sid) if k}
        self.safety.check_join(keys, profile.name)
        who = person or device or sid
        self._keys.setdefault(who, set()).update(keys)
        self._names[who] = profile.name
        return who

    def may_meet(self, a: Waiting, b: Waiting) -> bool:
        """The queue's rule (core/waitlist.py): compatible under the mode, never a blocked pair."""
        return compatible(a.profile, b.profile, self.mode) and self.safety.may_pair(a.key, b.key)

    def may_pair(self, a: str, b: str) -> bool:
        return self.safety.may_pair(a, b)

    def set_mode(self, mode: str) -> None:
        self.mode = meet_mode(mode)
        self._news("meet_mode", mode=self.mode)

    def _on_event(self, event: Event) -> None:
        if event.kind == ev.ENDED:
            sids = [s for s in event.data.get("sids", []) if s]
            if len(sids) == 2:  # for a report made just after the end: the last partner
                a, b = (self._people.person_of(s) for s in sids)
                self.safety.conversation_ended(a, b, self._clock())

    # -- reports ------------------------------------------------------------------------------
    def report(self, sid: str, payload: Any) -> Report:
        """`report` {reason, note?}: the pair never meets again; a call ends at once for both
        (as a leave: the partner is never told why); only the reporter hears `report_received`."""
        reporter = self._people.person_of(sid)
        partner_sid = self._rooms.partner(sid)
        partner = None if partner_sid is None else self._people.person_of(partner_sid)
        reported = self.safety.report_target(reporter, self._clock(), partner)
        names = {reporter: self._names.get(reporter, ""), reported: self._names.get(reported, "")}
        entry = self.safety.report(reporter, reported, payload, self._clock(), names)
        if self.answers is not None:
            self.answers().decline(reporter, reported)
        self._notify(ReportTaken(sid))
        if partner_sid is not None:
            self._door.end_as_leave(sid)
        log.info("%s", entry.line())
        self._changed()
        self._news("report", report=entry)
        return entry

    def reports(self) -> list[Report]:
        return list(self.safety.reports)

    # -- removals -----------------------------------------------------------------------------
    def people(self) -> list[tuple[str, str, str | None]]:
        """Everyone who joined since the last reset: (person, name, connected socket or None)."""
        return [(p, name, self._people.sid_of(p)) for p, name in self._names.items()]

    def find(self, target: str) -> str:
        """The person a host means by a name (any case) or an id (a person key or a socket)."""
        wanted = target.strip()
        for person, name, sid in self.people():
            if wanted in (person, sid) or name_key(name) == name_key(wanted):
                return person
        raise CoreError("unknown_person", f"Nobody called {wanted!r} is here.")

    async def remove(self, target: str) -> Removal:
        """The host removes someone: refused from now on (their keys and their name) until a
        reset or `undo`; their conversation ends (the partner hears peer_left); they are told."""
        person = self.find(target)
        name = self._names.get(person, "")
        now = self._clock()
        removal = self.safety.remove(person, name, now)
        for key in self._keys.get(person, set()) - {person}:
            self.safety.remove(key, name, now)
        self._changed()
        sid = self._people.sid_of(person)
        if sid is not None:
            await self._door.show_out(sid)
        self._news("removed", removals=self.removals())
        return removal

    def undo(self, target: str) -> str:
        """Take a removal back (by name or id); returns the name."""
        wanted = name_key(target)
        gone = [p for p, r in self.safety.removals.items() if wanted in (name_key(r.name), name_key(p))]
        if not gone:
            raise CoreError("unknown_person", f"Nobody called {target.strip()!r} was removed.")
        name = self.safety.removals[gone[0]].name
        for person in gone:
            self.safety.undo_removal(person)
        self._changed()
        self._news("removed", removals=self.removals())
        return name

    def removals(self) -> list[dict[str, str]]:
        """Who is removed, one entry a person (not one a key)."""
        seen: dict[str, dict[str, str]] = {}
        for r in self.safety.removals.values():
            seen.setdefault(name_key(r.name), {"person": r.person, "name": r.name, "at": r.at.isoformat()})
        return list(seen.values())

    # -- a reset, and an evening picked up after a crash -------------------------------------
    def reset(self) -> None:
        self.safety.reset()
        self._keys.clear()
        self._names.clear()
        self._news("removed", removals=[])

    def restore(self, safety: Safety, names: dict[str, str]) -> None:
        self.safety = safety
        for person, name in names.items():
            self._names.setdefault(person, name)
