"""What the host's services tell one page (or one conversation's pages), as typed notices.

A service never names a wire event nor shapes its body: it hands a notice to the host's
`Notify` port, and the one translator (server/relay.py, `Relay.tell`) turns it into the event a
page hears. Core events (core/events.py) take the same road through `Relay.__call__`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    """Something for the socket `to` (a conversation's id: its two pages)."""

    to: str


@dataclass(frozen=True)
class Refusal(Notice):
    """Bad or unauthorized input, refused in plain words with a stable code."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal(Notice):
    """WebRTC signaling passed on to the partner: `kind` is offer | answer | ice_candidate,
    `key` the payload's field (sdp, candidate), `sender` the socket it came from."""

    kind: str
    key: str
    value: Any
    sender: str


@dataclass(frozen=True)
class AgainAsked(Notice):
    """The private "again?" after a conversation with `name`, open for `seconds`."""

    session_id: str
    name: str
    seconds: int


@dataclass(frozen=True)
class AgainReceived(Notice):
    """An answer was taken (the same whatever the partner said or will say)."""

    session_id: str


@dataclass(frozen=True)
class AgainMatch(Notice):
    """Both said yes: the partner's name and the contact they chose to share."""

    session_id: str
    name: str
    contact: str


@dataclass(frozen=True)
class EveningJoined(Notice):
    """In the evening: the person's secret (the page keeps it to come back) and where it stands."""

    person: str
    status: dict[str, Any]


@dataclass(frozen=True)
class EveningStatus(Notice):
    """Where the evening stands, for this person."""

    status: dict[str, Any]


@dataclass(frozen=True)
class EveningOver(Notice):
    """The evening ended: how many rounds, and this person's mutual matches."""

    rounds: int
    matches: list[dict[str, str]]


@dataclass(frozen=True)
class SpeechStatus(Notice):
    """Whether the host transcribes this page's voice, with which engine, and why not."""

    status: dict[str, Any]


@dataclass(frozen=True)
class InterimWords(Notice):
    """Words heard so far of an utterance, for the conversation `to` but not its speaker."""

    speaker: str  # the socket that speaks (it does not get its own words back)
    body: dict[str, Any]


@dataclass(frozen=True)
class ReportTaken(Notice):
    """A report was taken (its reporter alone hears it)."""
