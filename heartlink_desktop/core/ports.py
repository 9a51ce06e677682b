"""What the parts of HeartLink need of one another, by name: small Protocols each part gets at
construction (the composition root, app.build_host, passes the host's pieces in). A part that
needs the rooms gets a `RoomsView`; one that tells a page gets a `Notify`; the window's news goes
through `News`; time comes from a `Clock`; who a socket is comes from `People`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from heartlink_desktop.core.events import Listener
from heartlink_desktop.core.notices import Notice
from heartlink_desktop.core.session import Session

Clock = Callable[[], datetime]
"""The host's clock (tests pass a fake one)."""


class RoomsView(Protocol):
    """What a part may read of the rooms (core/rooms.py `Rooms`), and hear of their changes."""

    @property
    def sessions(self) -> list[Session]: ...

    def get(self, session_id: str) -> Session | None: ...

    def locate(self, sid: str) -> tuple[Session, str] | None: ...

    def partner(self, sid: str) -> str | None: ...

    def subscribe(self, listener: Listener) -> Callable[[], None]: ...


class Notify(Protocol):
    """Tell one page (or a conversation's pages) something: server/relay.py `Relay.tell`."""

    def __call__(self, notice: Notice) -> None: ...


class News(Protocol):
    """The host's news for the window and standard input: server/host.py `HostServer.announce`."""

    def __call__(self, kind: str, **data: Any) -> None: ...


class People(Protocol):
    """Who a socket is: itself, unless an evening keeps a person across sockets
    (server/people.py `People`)."""

    def person_of(self, sid: str) -> str: ...

    def sid_of(self, person: str) -> str | None: ...

    def connected(self, person: str) -> bool: ...
