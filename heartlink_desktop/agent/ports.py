"""What the facilitator needs from the host, by name: a view of the rooms, a way to speak in
them, its settings, a clock. The composition root passes them in (`agent.install`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from heartlink_desktop.core.events import Event
from heartlink_desktop.core.session import Session


class RoomsView(Protocol):
    """The rooms as the facilitator reads them (core.rooms.Rooms is one): a session read in
    place, and the events."""

    def get(self, session_id: str) -> Session | None: ...

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]: ...


class Voice(Protocol):
    """How the facilitator speaks in a session and moves its phase (core's Talk, `rooms.talk`)."""

    def add_interjection(
        self, session_id: str, text: str, now: datetime, *, source: str = "builtin"
    ) -> dict[str, Any]: ...

    def set_phase(self, session_id: str, phase: str, now: datetime) -> None: ...


class FacilitatorSettings(Protocol):
    """The settings the facilitator reads (heartlink_desktop.settings.Settings is one)."""

    @property
    def silence_seconds(self) -> float: ...

    @property
    def cooldown_seconds(self) -> float: ...

    @property
    def turns_without_ai(self) -> int: ...

    @property
    def llm_url(self) -> str | None: ...

    @property
    def llm_model(self) -> str | None: ...
