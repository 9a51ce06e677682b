"""What the host needs of the parts the composition root installs in it, as small Protocols.

A service starts and stops with the server (`host.services`, started in order, stopped in
reverse). The facilitator, the speech service and the evening are such services with a few
more calls the protocol handlers and the window make; the host holds each by its Protocol,
never as `Any`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer


class Service(Protocol):
    async def start(self, host: HostServer) -> None: ...

    async def stop(self) -> None: ...


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


class NoFacilitator:
    """A bare HostServer's facilitator: says nothing, summarises nothing (the app always
    installs the real one; tests of the server alone get this)."""

    def interject_now(self, session_id: str) -> bool:
        return False

    def set_phase(self, session_id: str, phase: str) -> None:
        return None

    async def summarize(self, snapshot: dict[str, Any]) -> str:
        return ""
