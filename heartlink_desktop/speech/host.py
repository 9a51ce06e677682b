"""What the speech service needs of the host, as small Protocols (the host passes itself in as
`SpeechHost` from app.build_host; speech/ never imports the server)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.notices import Notice
from heartlink_desktop.core.session import Session
from heartlink_desktop.core.transcript import Talk


class Conversations(Protocol):
    """Who is in which conversation, and the transcript (core/rooms.py's `Rooms`)."""

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]: ...

    def locate(self, sid: str) -> tuple[Session, str] | None: ...

    def require(self, sid: str) -> tuple[Session, str]: ...


class SpeechHost(Protocol):
    """What the speech service needs of the host (server/host.py's `HostServer`): the
    conversations and their talk (a heard line is said through it), the pages connected, a way
    to tell a page (typed notices: core/notices.py) or refuse its input, the host's news, a
    clock."""

    @property
    def rooms(self) -> Conversations: ...

    @property
    def talk(self) -> Talk: ...

    @property
    def clients(self) -> Collection[str]: ...

    def notify(self, notice: Notice) -> None: ...

    def refuse(self, sid: str, exc: CoreError) -> None: ...

    def announce(self, kind: str, **data: Any) -> None: ...

    def now(self) -> datetime: ...
