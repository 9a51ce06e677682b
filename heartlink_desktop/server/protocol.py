"""The HeartLink Socket.IO server and namespace: what a client sends is read through one gate
(packet size and depth, then the allow-list of events), handed to the core, answered."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Any

import socketio
from socketio import packet as sio_packet

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.profile import parse_profile
from heartlink_desktop.server import wire
from heartlink_desktop.server.services import Front, SpeechPart

log = logging.getLogger(__name__)

# A page often comes back a moment before the host has seen its old socket close (a reload,
# or a client that noticed a dead network first); a resume for a slot whose socket is still
# connected waits this long for it to go before it is refused.
RECLAIM_WAIT = 3.0


class Complaints:
    """One log line per kind of bad input per `every` seconds, with how many were not logged:
    a flood of bad packets must not become a flood of log lines (nor a traceback each).
    Owned by the server; the gate and the namespace call `note`."""

    def __init__(self, every: float = 60.0, clock: Any = time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def note(self, kind: str, what: str, *, exc_info: bool = False) -> bool:
        """Log `what` under `kind` unless it was logged less than `every` seconds ago; True if logged."""
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.every:
            self._quiet[kind] = self._quiet.get(kind, 0) + 1
            return False
        self._last[kind] = now
        quiet = self._quiet.pop(kind, 0)
        more = f" ({quiet} more of this kind since the last line)" if quiet else ""
        log.warning("%s%s", what, more, exc_info=exc_info)
        return True


class HeartLinkServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server with HeartLink's gate on the read path (the fast path in
    fast.py reads its EVENT frames into `_handle_event` too): a text packet is checked for size
    and depth before it is decoded, a second `connect` on one connection is ignored, a client
    event on "/" goes to `HeartLinkNamespace.client_event` and nowhere else, and a packet that
    will not decode is one rate-limited log line, never a traceback. Made by HostServer."""

    def __init__(self, *, client_timeout: float = 20.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.complaints = Complaints()
        self.gate: HeartLinkNamespace | None = None
        self.client_timeout = client_timeout
        self._closing: set[asyncio.Task[Any]] = set()
        self.unsigned_closed = 0  # connections closed for never becoming a client (for tests)

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> None:
        await super()._handle_eio_connect(eio_sid, environ)
        # An Engine.IO session must become a signed-in Socket.IO client within the timeout
        # (a page does in well under a second); otherwise it only holds a connection.
        asyncio.get_running_loop().call_later(self.client_timeout, self._check_signed_in, eio_sid)

    def _check_signed_in(self, eio_sid: str) -> None:
        if eio_sid not in self.eio.sockets:
            return
        sid = self.manager.sid_from_eio_sid(eio_sid, "/")
        if sid is not None and self.gate is not None and self.gate.signed_in(sid):
            return
        self.unsigned_closed += 1
        self.complaints.note("not a client", "closed a connection that did not become a client in time")
        task = asyncio.ensure_future(self._close_unsigned(eio_sid))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def register_namespace(self, namespace_handler: Any) -> None:
        super().register_namespace(namespace_handler)
        if isinstance(namespace_handler, HeartLinkNamespace) and namespace_handler.namespace == "/":
            self.gate = namespace_handler

    async def _close_unsigned(self, eio_sid: str) -> None:
        # Engine.IO's disconnect waits for the client to fetch a goodbye it may never fetch
        socket = self.eio.sockets.get(eio_sid)
        if socket is not None:
            await socket.close(wait=False, abort=True, reason=self.reason.SERVER_DISCONNECT)
        self.eio.sockets.pop(eio_sid, None)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if isinstance(data, str):
            try:
                wire.check_packet(data)
            except CoreError as exc:
                self.refuse(eio_sid, exc)
                return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # python-socketio could not decode it (or its attachments): malformed by the client
            self.complaints.note(
                "malformed", f"a client sent a packet that does not decode ({type(exc).__name__})"
            )

    def refuse(self, eio_sid: str, exc: CoreError) -> None:
        """A packet refused before decoding: told to its Socket.IO client, if it has one."""
        self.complaints.note(exc.code, f"a client's packet was refused unread ({exc.code})")
        sid = self.manager.sid_from_eio_sid(eio_sid, "/")
        if sid is not None and self.gate is not None:
            self.gate.host.refuse(sid, exc)

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        if self.manager.sid_from_eio_sid(eio_sid, namespace or "/") is not None:
            self.complaints.note("second connect", "a client connected twice on one connection (ignored)")
            return  # one Socket.IO client per connection and namespace
        await super()._handle_connect(eio_sid, namespace, data)

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: Any, data: list[Any]) -> None:
        gate = self.gate
        if gate is None or (namespace or "/") != "/":
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        sid = self.manager.sid_from_eio_sid(eio_sid, "/")
        if sid is None or not self.manager.is_connected(sid, "/"):
            return
        await gate.client_event(sid, data[0], data[1:])
        if id is not None:  # the client asked for an acknowledgement: an empty one
            await self._send_packet(eio_sid, self.packet_class(sio_packet.ACK, namespace="/", id=id, data=[]))


class HeartLinkNamespace(socketio.AsyncNamespace):
    """The protocol's handlers (`on_<event>`), each a client event of `wire.CLIENT_EVENTS`.
    python-socketio calls `trigger_event` for `connect` and `disconnect`; every client event
    comes through `client_event`, from HeartLinkServer's read path or the fast path."""

    def __init__(self, host: Front) -> None:
        super().__init__("/")
        self.host = host

    def signed_in(self, sid: str) -> bool:
        return sid in self.host.clients

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):  # only python-socketio calls these by name
            return await super().trigger_event(event, *args)
        await self.client_event(args[0], event, list(args[1:]))
        return None

    async def client_event(self, sid: str, event: Any, args: list[Any]) -> None:
        """The one door for a client's event: a name of the allow-list, a signed-in socket,
        a payload within its size; then its handler. Bad input gets a session_error."""
        payload = args[0] if args else None
        try:
            if not isinstance(event, str) or event not in wire.CLIENT_EVENTS:
                raise CoreError("unknown_event", f"'{str(event)[:40]}' is not an event this host knows.")
            if sid not in self.host.clients:
                raise CoreError("unauthorized", "This connection is not signed in.")
            wire.check_size(payload, event)
            getattr(self, f"on_{event}")(sid, payload)
        except CoreError as exc:
            self.host.refuse(sid, exc)
        except Exception:  # a handler must never take the server down
            self.server.complaints.note(f"handler {event}", f"the handler of {event!r} failed", exc_info=True)
            self.host.refuse(sid, CoreError("internal_error", "The host could not handle that message."))

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
        eio_sid = self.server.manager.eio_sid_from_sid(sid, "/")
        return eio_sid is not None and eio_sid in self.server.eio.sockets

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        await self.host.client_disconnected(sid)

    # -- events (sync: they run in arrival order and only enqueue what goes out) ----------
    def on_join(self, sid: str, payload: Any) -> None:
        profile = parse_profile(wire.join(payload))
        self.host.entry.join(sid, profile, payload)

    def on_leave(self, sid: str, payload: Any) -> None:
        self.host.entry.leave(sid)

    def on_again_answer(self, sid: str, payload: Any) -> None:
        self.host.again.answer(sid, payload)

    def on_report(self, sid: str, payload: Any) -> None:
        self.host.report(sid, payload)

    def _relay(self, event: str, sid: str, payload: Any) -> None:
        target, key, value = wire.signal(event, payload)
        self.host.signal(sid, event, target, key, value)

    def on_offer(self, sid: str, payload: Any) -> None:
        self._relay("offer", sid, payload)

    def on_answer(self, sid: str, payload: Any) -> None:
        self._relay("answer", sid, payload)

    def on_ice_candidate(self, sid: str, payload: Any) -> None:
        self._relay("ice_candidate", sid, payload)

    def on_transcript_update(self, sid: str, payload: Any) -> None:
        self.host.talk.add_line(sid, wire.text(payload), self.host.now())

    def on_audio_activity(self, sid: str, payload: Any) -> None:
        self.host.talk.set_speaking(sid, wire.speaking(payload), self.host.now())

    def _speech(self) -> SpeechPart:
        speech = self.host.speech
        if speech is None:
            raise CoreError("speech_off", "This host does not transcribe speech; use the typed box.")
        return speech

    def on_audio(self, sid: str, payload: Any) -> None:
        self._speech().audio(sid, payload)

    def on_audio_end(self, sid: str, payload: Any) -> None:
        self._speech().audio_end(sid, payload)
