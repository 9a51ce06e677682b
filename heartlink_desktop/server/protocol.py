"""The HeartLink Socket.IO namespace: each client event checked, handed to the core, answered."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import TYPE_CHECKING, Any

import socketio

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.profile import parse_profile
from heartlink_desktop.server import wire

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer
    from heartlink_desktop.server.services import SpeechPart

log = logging.getLogger(__name__)

# A page often comes back a moment before the host has seen its old socket close (a reload,
# or a client that noticed a dead network first); a resume for a slot whose socket is still
# connected waits this long for it to go before it is refused.
RECLAIM_WAIT = 3.0


class HeartLinkNamespace(socketio.AsyncNamespace):
    def __init__(self, host: HostServer) -> None:
        super().__init__("/")
        self.host = host

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid = args[0]
        payload = args[1] if len(args) > 1 else None
        try:
            if event not in wire.CLIENT_EVENTS:
                raise CoreError("unknown_event", f"'{event}' is not an event this host knows.")
            if sid not in self.host.clients:
                raise CoreError("unauthorized", "This connection is not signed in.")
            wire.check_size(payload, event)
            getattr(self, f"on_{event}")(sid, payload)
        except CoreError as exc:
            self.host.send_error(sid, exc)
        except Exception:  # a handler must never take the server down
            log.exception("handler for %r failed", event)
            self.host.send_error(sid, CoreError("internal_error", "The host could not handle that message."))
        return None

    # -- connection -----------------------------------------------------------------------
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), self.host.token.encode()):
            raise socketio.exceptions.ConnectionRefusedError(
                "This link is not valid any more. Scan the host's QR code again.",
                {"error": "invalid_token"},
            )
        resume = auth.get("resume") if isinstance(auth, dict) else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECLAIM_WAIT
        while True:
            try:
                self.host.client_connected(sid, resume)  # with a resume secret: reclaim the slot
                return
            except CoreError as exc:
                if exc.details.get("in_use") and loop.time() < deadline:
                    await asyncio.sleep(0.05)  # the old socket may be closing right now
                    if self._alive(sid):  # a socket that gave up waiting must not get the slot
                        continue
                raise socketio.exceptions.ConnectionRefusedError(exc.message, {"error": exc.code}) from None

    def _alive(self, sid: str) -> bool:
        eio_sid = self.host.sio.manager.eio_sid_from_sid(sid, "/")
        return eio_sid is not None and eio_sid in self.host.sio.eio.sockets

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        if self.host.evening is not None:
            self.host.evening.gone(sid)  # first: it asks whether the socket was in a conversation
        await self.host.client_disconnected(sid)

    # -- events (sync: they run in arrival order and only enqueue what goes out) ----------
    def on_join(self, sid: str, payload: Any) -> None:
        profile = parse_profile(wire.join(payload))
        if self.host.evening is not None:
            self.host.evening.join(sid, profile, payload.get("person"))  # into the evening's lobby
            return
        self.host.join(sid, profile)

    def on_leave(self, sid: str, payload: Any) -> None:
        if self.host.evening is not None and self.host.evening.leave(sid):
            return
        self.host.leave(sid)

    def on_again_answer(self, sid: str, payload: Any) -> None:
        self.host.again.answer(sid, payload)

    def _relay(self, event: str, sid: str, payload: Any) -> None:
        target, key, value = wire.signal(event, payload)
        target = self.host.rooms.talk.check_target(sid, target)
        self.host.send(event, {key: value, "sender": sid}, to=target)

    def on_offer(self, sid: str, payload: Any) -> None:
        self._relay("offer", sid, payload)

    def on_answer(self, sid: str, payload: Any) -> None:
        self._relay("answer", sid, payload)

    def on_ice_candidate(self, sid: str, payload: Any) -> None:
        self._relay("ice_candidate", sid, payload)

    def on_transcript_update(self, sid: str, payload: Any) -> None:
        self.host.rooms.talk.add_line(sid, wire.text(payload), self.host.now())

    def on_audio_activity(self, sid: str, payload: Any) -> None:
        self.host.rooms.talk.set_speaking(sid, wire.speaking(payload), self.host.now())

    def _speech(self) -> SpeechPart:
        speech = self.host.speech
        if speech is None:
            raise CoreError("speech_off", "This host does not transcribe speech; use the typed box.")
        return speech

    def on_audio(self, sid: str, payload: Any) -> None:
        self._speech().audio(sid, payload)

    def on_audio_end(self, sid: str, payload: Any) -> None:
        self._speech().audio_end(sid, payload)
