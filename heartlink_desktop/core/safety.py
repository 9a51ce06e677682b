"""Never again: reports, pairs that must not meet again, and people the host removed; pure.

A person is a stable key the caller passes in (the server maps sockets, page secrets and
evening person secrets to it). A report blocks its pair until a reset; a removal refuses the
person's key and, since a secret can be cleared, any join with the same name (case and spaces
folded) until a reset or until the host undoes it. `may_pair` is the one check the queue and
the rounds make. Nothing here tells the reported person anything: the caller ends the
conversation as for any leave.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.vocab import (
    REMOVED,
    REMOVED_MESSAGE,
    REPORT_NOTE_MAX,
    REPORT_REASONS,
    REPORT_WINDOW_SECONDS,
)

REPORT_WINDOW = timedelta(seconds=REPORT_WINDOW_SECONDS)


def name_key(name: str) -> str:
    """The form of a name that removal compares: spaces folded, case ignored."""
    return " ".join(name.split()).casefold()


def pair_of(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


@dataclass(frozen=True)
class Report:
    """One report as the host sees it (the window, a headless line, the evening's file)."""

    reporter: str
    reported: str
    reason: str
    note: str
    at: datetime
    reporter_name: str = ""
    reported_name: str = ""

    def line(self) -> str:
        """One line for standard output: both people and the reason code (never the note,
        which the window shows)."""
        who = self.reporter_name or self.reporter
        whom = self.reported_name or self.reported
        return f"Report at {self.at.strftime('%H:%M:%S')}: {who} reported {whom} ({self.reason})."

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        fields = {k: str(data.get(k, "")) for k in ("reporter", "reported", "reason", "note")}
        names = {k: str(data.get(k, "")) for k in ("reporter_name", "reported_name")}
        return cls(**fields, at=datetime.fromisoformat(data["at"]), **names)


@dataclass(frozen=True)
class Removal:
    """Someone the host removed: their key and the name they joined with."""

    person: str
    name: str
    at: datetime


def parse_report(raw: Any) -> tuple[str, str]:
    """The reason and the note of a `report` payload, or CoreError('invalid_payload'): an
    unknown reason or a note over REPORT_NOTE_MAX characters is refused whole, never cut."""
    if not isinstance(raw, dict):
        raise CoreError("invalid_payload", "A report needs a reason.")
    reason = raw.get("reason")
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise CoreError(
            "invalid_payload", "A report's reason must be one of: " + ", ".join(REPORT_REASONS) + "."
        )
    note = raw.get("note")
    if note is None:
        return reason, ""
    if not isinstance(note, str):
        raise CoreError("invalid_payload", "A report's note must be text.")
    if len(note) > REPORT_NOTE_MAX:
        raise CoreError("invalid_payload", f"A report's note can hold at most {REPORT_NOTE_MAX} characters.")
    text = " ".join(note.split())  # one line: newlines and tabs become spaces
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise CoreError("invalid_payload", "A report's note cannot hold control characters.")
    return reason, text


def removed_error() -> CoreError:
    return CoreError(REMOVED, REMOVED_MESSAGE)


@dataclass
class Safety:
    """The reports, never-again pairs and removals of the event until a reset. The server's
    report and remove handlers change it; the queue and the rounds ask `may_pair`; a join
    asks `check_join`; the evening's file keeps `to_dict()`."""

    reports: list[Report] = field(default_factory=list)
    blocked: set[frozenset[str]] = field(default_factory=set)
    removals: dict[str, Removal] = field(default_factory=dict)  # person -> removal
    # person -> (their last partner, when that conversation ended): memory only, for a report
    # made just after the end
    last_partner: dict[str, tuple[str, datetime]] = field(default_factory=dict, repr=False)

    # -- never again --------------------------------------------------------------------
    def block(self, a: str, b: str) -> None:
        if a != b:
            self.blocked.add(pair_of(a, b))

    def is_blocked(self, a: str, b: str) -> bool:
        return pair_of(a, b) in self.blocked

    def may_pair(self, a: str, b: str) -> bool:
        """The check of the queue and the rounds: neither removed, and never blocked."""
        return a != b and not self.is_blocked(a, b) and a not in self.removals and b not in self.removals

    # -- reports --------------------------------------------------------------------------
    def conversation_ended(self, a: str, b: str, now: datetime) -> None:
        """Remember each one's last partner, for a report in the REPORT_WINDOW after the end."""
        self.last_partner[a] = (b, now)
        self.last_partner[b] = (a, now)

    def report_target(self, reporter: str, now: datetime, partner: str | None = None) -> str:
        """Whom a report is about: the current partner, else the last one if that conversation
        ended within the REPORT_WINDOW; CoreError('not_in_session') otherwise."""
        if partner is not None:
            return partner
        last = self.last_partner.get(reporter)
        if last is None or now - last[1] > REPORT_WINDOW:
            raise CoreError("not_in_session", "There is no conversation to report: it ended too long ago.")
        return last[0]

    def report(
        self, reporter: str, reported: str, raw: Any, now: datetime, names: Mapping[str, str] | None = None
    ) -> Report:
        """Take a report (raw payload checked whole by `parse_report`): the pair never meets again."""
        reason, note = parse_report(raw)
        if reporter == reported:
            raise CoreError("invalid_payload", "You cannot report yourself.")
        names = names or {}
        entry = Report(
            reporter, reported, reason, note, now, names.get(reporter, ""), names.get(reported, "")
        )
        self.reports.append(entry)
        self.block(reporter, reported)
        return entry

    # -- removals -------------------------------------------------------------------------
    def remove(self, person: str, name: str, now: datetime) -> Removal:
        removal = Removal(person, name, now)
        self.removals[person] = removal
        return removal

    def undo_removal(self, person: str) -> Removal | None:
        """The host takes a removal back: the person (and the name) may join again."""
        return self.removals.pop(person, None)

    def is_removed(self, person: str | None = None, name: str | None = None) -> bool:
        if person is not None and person in self.removals:
            return True
        return name is not None and name_key(name) in {name_key(r.name) for r in self.removals.values()}

    def check_join(self, keys: Iterable[str], name: str) -> None:
        """Refuse a join by any of the person's keys (socket, page secret, evening secret) or
        by a removed name: CoreError('removed') with the plain words of REMOVED_MESSAGE."""
        if any(self.is_removed(person=k) for k in keys) or self.is_removed(name=name):
            raise removed_error()

    # -- what survives a crash, and a reset -----------------------------------------------
    def reset(self) -> None:
        self.reports.clear()
        self.blocked.clear()
        self.removals.clear()
        self.last_partner.clear()

    def to_dict(self) -> dict[str, Any]:
        """For the evening's file (never a session file)."""
        return {
            "reports": [r.to_dict() for r in self.reports],
            "blocked": sorted(sorted(p) for p in self.blocked),
            "removals": [
                {"person": r.person, "name": r.name, "at": r.at.isoformat()} for r in self.removals.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Safety:
        safety = cls()
        safety.reports = [Report.from_dict(r) for r in data.get("reports") or []]
        for pair in data.get("blocked") or []:
            safety.block(str(pair[0]), str(pair[1]))
        for r in data.get("removals") or []:
            safety.remove(str(r["person"]), str(r["name"]), datetime.fromisoformat(r["at"]))
        return safety
