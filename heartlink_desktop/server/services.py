"""What the host and its namespace need of the parts installed in the host, and the namespace
of the host, as small Protocols: no module here imports the host (server/host.py imports them).

A service starts and stops with the server (`host.services`, started in order, stopped in
reverse); it got what it needs at construction. The facilitator, the speech service and the
evening are such services with a few more calls the protocol handlers and the window make."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Listener
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.session import Session
from heartlink_desktop.core.transcript import Talk


class Service(Protocol):
    """Something that runs with the server: timers, workers, a file."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Entry(Protocol):
    """Where a page's join, its leave and its socket's end go: the rooms' own matchmaking (the
    host), or an evening of rounds in front of it. Chosen once, by the host (`host.entry`)."""

    def join(self, sid: str, profile: Profile, payload: dict[str, Any]) -> None: ...

    def leave(self, sid: str) -> None: ...

    async def gone(self, sid: str) -> None: ...


class Seating(Protocol):
    """What the evening needs of the rooms (core/rooms.py `Rooms`): where people sit, two
    people seated together, the talk inside a conversation, and news of every change."""

    @property
    def talk(self) -> Talk: ...

    def get(self, session_id: str) -> Session | None: ...

    def locate(self, sid: str) -> tuple[Session, str] | None: ...

    def pair(self, a: tuple[str, Profile], b: tuple[str, Profile], now: datetime) -> Session: ...

    def subscribe(self, listener: Listener) -> Callable[[], None]: ...


class Answering(Protocol):
    """The "again?" answers (server/again.py `Again`)."""

    def answer(self, sid: str, payload: Any) -> None: ...


class FacilitatorPart(Protocol):
    """The facilitator as the host and the window use it (heartlink_desktop.agent)."""

    def interject_now(self, session_id: str) -> bool:
        """Say a line in the session now; False when it is not active."""
        ...

    def set_phase(self, session_id: str, phase: str) -> None: ...

    async def summarize(self, snapshot: dict[str, Any]) -> str: ...


class SpeechPart(Protocol):
    """Speech to text as the protocol handlers and the window use it (heartlink_desktop.speech)."""

    def describe(self) -> str: ...

    def set_engine(self, engine: str) -> None: ...

    def status(self) -> dict[str, Any]: ...

    def audio(self, sid: str, payload: Any) -> None: ...

    def audio_end(self, sid: str, payload: Any) -> None: ...


class Front(Protocol):
    """What the protocol's handlers (server/protocol.py) need of the host: who is signed in and
    how to sign in, where joins go, the talk, the answers, speech, refusals and the clock."""

    @property
    def token(self) -> str: ...

    @property
    def clients(self) -> Collection[str]: ...

    @property
    def entry(self) -> Entry: ...

    @property
    def again(self) -> Answering: ...

    @property
    def talk(self) -> Talk: ...

    @property
    def speech(self) -> SpeechPart | None: ...

    def client_connected(self, sid: str, resume: Any = None) -> None: ...

    async def client_disconnected(self, sid: str) -> None: ...

    def refuse(self, sid: str, exc: CoreError) -> None: ...

    def signal(self, sid: str, event: str, target: Any, key: str, value: Any) -> None: ...

    def report(self, sid: str, payload: Any) -> None: ...

    def now(self) -> datetime: ...


class NoFacilitator:
    """A bare HostServer's facilitator: says nothing, summarises nothing (the app always
    installs the real one; tests of the server alone get this)."""

    def interject_now(self, session_id: str) -> bool:
        return False

    def set_phase(self, session_id: str, phase: str) -> None:
        return None

    async def summarize(self, snapshot: dict[str, Any]) -> str:
        return ""
