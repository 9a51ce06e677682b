"""The host server: HTTPS + Socket.IO on one port, carrying out what the core decides."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import socketio
from aiohttp import web

from heartlink_desktop import __version__, net, tls
from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.rooms import Rooms
from heartlink_desktop.core.session import other_role
from heartlink_desktop.core.vocab import (
    FACILITATOR_ID,
    FACILITATOR_SPEAKER,
    HOST_ENDED,
    HOST_STOPPED,
    PEER_DISCONNECTED,
    PEER_LEFT,
    RESET,
    SUMMARY_TIMEOUT,
)
from heartlink_desktop.paths import Paths, resource, socketio_client_dir
from heartlink_desktop.server.again import Again
from heartlink_desktop.server.outbox import InlineManager, Outbox, plain_websockets
from heartlink_desktop.server.protocol import HeartLinkNamespace
from heartlink_desktop.server.services import FacilitatorPart, NoFacilitator, Service, SpeechPart
from heartlink_desktop.server.store import SessionStore
from heartlink_desktop.settings import Settings

if TYPE_CHECKING:
    from heartlink_desktop.server.evening import EveningService

log = logging.getLogger(__name__)

ENGINE_MAX_BYTES = 1_000_000  # a whole polling payload; one event is capped lower, in wire.py
PING_INTERVAL, PING_TIMEOUT = 10, 15  # seconds: a phone that vanished is noticed in ~25 s
SHUTDOWN_TIMEOUT = 2.0  # seconds aiohttp waits for open requests when the server stops

class PortInUseError(Exception):
    """The port is taken; `suggestion` is one that was free a moment ago."""

    def __init__(self, port: int, suggestion: int) -> None:
        super().__init__(f"port {port} is already in use; choose another with --port")
        self.port = port
        self.suggestion = suggestion


@dataclass(frozen=True)
class ServerEvent:
    """Host-level news for the window: listening, stopped, clients, token, certificate."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def same_origin(origin: str | None, environ: dict[str, Any]) -> bool:
    """Engine.IO's own same-origin check takes every aiohttp request for plain http and so
    refuses the page's https origin; this accepts exactly the origin the page came from."""
    return origin == f"https://{environ.get('HTTP_HOST', '')}"


@web.middleware
async def _security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # the URL carries the token
    response.headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
            "connect-src 'self' wss: https:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        )
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self)")
    return response


class HostServer:
    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.paths = paths.ensure()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rooms = Rooms(
            max_pairs=settings.max_pairs,
            spiciness=settings.spiciness,
            grace_seconds=settings.grace_seconds,
            queue=settings.queue_enabled,
            waiting_timeout=settings.waiting_timeout,
            idle_timeout=settings.idle_timeout,
        )
        self.store = SessionStore(self.paths.sessions)
        self.token = secrets.token_urlsafe(24)  # 192 bits
        self.clients: set[str] = set()
        self.port: int | None = None
        self.addresses: list[net.LanAddress] = []
        self.address = "127.0.0.1"
        self.cert: tls.CertStatus | None = None
        self._ssl: Any = None
        self._listeners: list[Callable[[ServerEvent], None]] = []
        self._outbox = Outbox()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        # Installed by the composition root (app.build_host): the facilitator always, speech
        # always (its engine may be off), the evening for an evening of rounds.
        self.facilitator: FacilitatorPart = NoFacilitator()
        self.speech: SpeechPart | None = None
        self.services: list[Service] = []  # started in order with the server, stopped in reverse

        # async_handlers off: each client event is handled where it is read, not in a task of
        # its own (the handlers do not wait; what goes out, the outbox sends).
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            async_handlers=False,
            client_manager=InlineManager(),
            max_http_buffer_size=ENGINE_MAX_BYTES,
            cors_allowed_origins=same_origin,
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
        )
        plain_websockets(self.sio)
        self.sio.register_namespace(HeartLinkNamespace(self))
        self.app = web.Application(middlewares=[_security_headers])
        self.app.router.add_get("/", self._index)
        self.app.router.add_get("/ca.crt", self._ca)
        self.app.router.add_get("/healthz", self._health)
        self.app.router.add_static("/static/", resource("web"), follow_symlinks=False)
        vendor = socketio_client_dir()
        if vendor.is_dir():
            self.app.router.add_static("/vendor/", vendor, follow_symlinks=False)
        self.sio.attach(self.app)
        self.store.attach(self.rooms.get)
        self.rooms.subscribe(self.store)
        self.rooms.subscribe(self._on_core_event)
        self.again = Again(self)  # after the relay: a session's end reaches the page before its question
        self.evening: EveningService | None = None  # set by app.build_host for an evening of rounds

    # -- observers ------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def announce(self, kind: str, **data: Any) -> None:
        event = ServerEvent(kind, data)
        for listener in list(self._listeners):
            listener(event)

    def now(self) -> datetime:
        return self.clock()

    @property
    def join_url(self) -> str:
        return net.join_url(self.address, self.port or self.settings.port, self.token)

    # -- HTTP -----------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(resource("web", "index.html"), headers={"Content-Type": "text/html"})

    async def _ca(self, request: web.Request) -> web.StreamResponse:
        assert self.cert is not None
        return web.Response(
            body=self.cert.ca_file.read_bytes(),
            content_type="application/x-x509-ca-cert",
            headers={"Content-Disposition": 'attachment; filename="heartlink-ca.crt"'},
        )

    async def _health(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"status": "ok", "version": __version__})

    # -- lifecycle ------------------------------------------------------------------------
    def refresh_certificate(self, *, force: bool = False) -> tls.CertStatus:
        """Make sure the certificate covers every LAN address; new handshakes use the new one."""
        self.addresses = net.lan_addresses()
        self.address = net.pick_address(self.addresses, self.settings.address)
        ips = [a.ip for a in self.addresses]
        if self.address not in ips:
            ips.append(self.address)
        self.cert = tls.ensure_certificates(self.paths.certs, ips, self.now(), force=force)
        if self._ssl is not None:
            self._ssl.load_cert_chain(str(self.cert.cert_file), str(self.cert.key_file))
        self.announce("certificate", status=self.cert)
        return self.cert

    def choose_address(self, ip: str) -> None:
        """Advertise another LAN address (re-issuing the certificate if it lacks it)."""
        self.settings = self.settings.replace(address=ip)
        self.refresh_certificate()
        self.announce("token", token=self.token, url=self.join_url)

    async def start(self) -> None:
        self.store.clear_stale()
        self.refresh_certificate()
        assert self.cert is not None
        self._ssl = tls.server_context(self.cert)
        self._outbox.open()
        # A long-poll left open by a page that never upgraded would hold cleanup for 60 s.
        self._runner = web.AppRunner(
            self.app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port, ssl_context=self._ssl)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._outbox.close()
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise PortInUseError(self.settings.port, net.free_port(self.settings.host)) from None
            raise
        self.port = self._runner.addresses[0][1]
        for service in self.services:
            await service.start(self)
        self.announce("listening", port=self.port, url=self.join_url)
        log.info("listening on %s:%s", self.settings.host, self.port)

    async def stop(self) -> None:
        """Tell the peers, flush the files, stop serving. Safe to call twice."""
        if self._runner is None:
            return
        for service in reversed(self.services):
            await service.stop()
        await self._end_all(HOST_STOPPED)
        self.store.close()  # _end_all flushed it: nothing is left to write
        await self._disconnect_everyone()
        await self.sio.shutdown()
        self._outbox.close()
        for task in list(self._tasks):
            task.cancel()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self.announce("stopped")

    async def _disconnect_everyone(self, timeout: float = 3.0) -> None:
        for sid in list(self.clients):
            await self.sio.disconnect(sid)
        # Engine.IO sockets with no Socket.IO client (a page that never finished connecting)
        for socket in list(self.sio.eio.sockets.values()):
            await socket.close(wait=False, abort=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.sio.eio.sockets and loop.time() < deadline:
            await asyncio.sleep(0.02)  # engine.io gives no event for it

    # -- outgoing messages, in order ------------------------------------------------------
    def _enqueue(self, send: Callable[[], Awaitable[Any]]) -> None:
        self._outbox.put(send)

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent, and the session files written."""
        await self._outbox.join()
        await asyncio.wrap_future(self.store.flush())

    def send(self, event: str, data: dict[str, Any], *, to: str, skip_sid: str | None = None) -> None:
        self._enqueue(lambda: self.sio.emit(event, data, to=to, skip_sid=skip_sid))

    def send_error(self, sid: str, exc: CoreError) -> None:
        body: dict[str, Any] = {"error": exc.code, "message": exc.message}
        if exc.details:
            body["details"] = exc.details
        self.send("session_error", body, to=sid)

    def _on_core_event(self, event: Event) -> None:
        sid_room = event.session_id
        d = event.data
        if event.kind == ev.JOINED:
            session = self.rooms.get(sid_room)
            info = self._session_info(sid_room, d["status"], d["sid"], d["role"], d["peer"])
            away = session is not None and other_role(d["role"]) in session.reconnecting

            async def joined() -> None:
                await self.sio.enter_room(d["sid"], sid_room)
                await self.sio.emit("session_info", info, to=d["sid"])
                if d["peer"] is not None:
                    joiner = {"id": d["sid"], "role": d["role"], "profile": d["profile"]}
                    await self.sio.emit("user_joined", joiner, to=d["peer"]["id"])
                if away:  # paired with someone whose socket is gone for the moment
                    status = {"role": other_role(d["role"]), "state": ev.RECONNECTING}
                    await self.sio.emit("peer_status", status, to=d["sid"])

            self._enqueue(joined)
        elif event.kind == ev.PEER_STATUS:
            self._on_peer_status(event)
        elif event.kind == ev.QUEUE:
            positions = {e["sid"]: e["position"] for e in d["line"]}
            for sid in d["moved"]:
                self.send("queued", {"position": positions[sid], "ahead": positions[sid] - 1}, to=sid)
            for gone in d["removed"]:
                if gone["reason"] == "left":
                    self.send("queued", {"position": 0, "ahead": 0, "left": True}, to=gone["sid"])
        elif event.kind == ev.TRANSCRIPT:
            e = d["entry"]
            if e["speaker"] == FACILITATOR_SPEAKER:
                body = {
                    "session_id": sid_room, "agent_id": FACILITATOR_ID, "phase": e.get("phase"),
                    "text": e["text"], "timestamp": e["timestamp"], "source": e.get("source", "builtin"),
                }
                self.send("ai_interjection", body, to=sid_room)
            else:
                self.send("transcript_update", {"session_id": sid_room, **e}, to=sid_room)
        elif event.kind == ev.PHASE:
            self.send("phase_changed", {"session_id": sid_room, "phase": d["phase"]}, to=sid_room)
        elif event.kind == ev.LEFT:
            self.send("user_left", {"id": d["sid"], "role": d["role"]}, to=sid_room, skip_sid=d["sid"])
        elif event.kind == ev.ENDED:
            body = {"session_id": sid_room, "reason": d["reason"], "summary": d["summary"]}

            async def ended() -> None:
                await self.sio.emit("session_ended", body, to=sid_room)
                await self.sio.close_room(sid_room)

            self._enqueue(ended)

    def _on_peer_status(self, event: Event) -> None:
        sid_room, d = event.session_id, event.data
        role = d["role"]
        if d["state"] == ev.RECONNECTING:
            self.send("peer_status", {"role": role, "state": ev.RECONNECTING}, to=sid_room, skip_sid=d["sid"])
            return
        new = d["sid"]
        session = self.rooms.require(new)[0]  # the slot was just given to `new`
        peer = session.peer_info(other_role(role))
        info = self._session_info(sid_room, session.status, new, role, peer)
        # lines are never changed once added: a shallow copy is the transcript at this moment
        info.update(resumed=True, transcript=list(session.transcript), phase=session.phase)
        partner_away = other_role(role) in session.reconnecting

        async def reclaimed() -> None:
            await self._until_connected(new)
            await self.sio.enter_room(new, sid_room)
            await self.sio.emit("session_info", info, to=new)
            if partner_away:
                status = {"role": other_role(role), "state": ev.RECONNECTING}
                await self.sio.emit("peer_status", status, to=new)
            back = {"role": role, "state": ev.CONNECTED, "id": new}
            await self.sio.emit("peer_status", back, to=sid_room, skip_sid=new)

        self._enqueue(reclaimed)

    async def _until_connected(self, sid: str, timeout: float = 5.0) -> None:
        """A reclaim is decided inside the connect handler, before Socket.IO confirms the
        connection to the client; what goes to the new socket must follow that confirmation."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.sio.manager.is_connected(sid, "/") and sid in self.clients and loop.time() < deadline:
            await asyncio.sleep(0.005)  # Socket.IO gives no event for it

    def _session_info(self, session_id: str, status: str, sid: str, role: str, peer: Any) -> dict[str, Any]:
        """`session_info` for the socket `sid` holding `role` in the session."""
        info = {"session_id": session_id, "role": role, "status": status, "peer": peer}
        info.update(self.session_info_extra(sid))
        return info

    def session_info_extra(self, sid: str) -> dict[str, Any]:
        """Fields added to session_info: the resume secret, when slots can be reclaimed."""
        secret = self.rooms.secret_of(sid)
        return {} if secret is None else {"resume": secret}

    # -- what the namespace calls ---------------------------------------------------------
    def client_connected(self, sid: str, resume: Any = None) -> None:
        """A socket with the right token. With a resume secret it takes back its held slot,
        or CoreError('invalid_resume') is raised and the connection is refused."""
        if resume is not None and resume != "":
            self.rooms.reclaim(resume, sid, self.now())
        self.clients.add(sid)
        self.announce("clients", count=len(self.clients))

    async def client_disconnected(self, sid: str) -> None:
        self.clients.discard(sid)
        self.announce("clients", count=len(self.clients))
        if self.rooms.leave_line(sid, reason="gone"):
            return
        if self.rooms.drop(sid, self.now()):
            return  # its slot is held for the grace period
        await self._finish(sid, PEER_DISCONNECTED)

    def join(self, sid: str, profile: Profile) -> None:
        try:
            self.rooms.join_or_queue(sid, profile, self.now())  # seated or queued: events tell it
        except CoreError as exc:
            self.send_error(sid, exc)

    def leave(self, sid: str) -> None:
        if self.rooms.leave_line(sid, reason="left"):
            return
        if self.rooms.locate(sid) is None:
            raise CoreError("not_in_session", "You are not in a conversation.")
        self._spawn(self._finish(sid, PEER_LEFT))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def summary(self, session_id: str) -> str:
        """The summary of a live session, or "" (a failing or slow summarizer is logged)."""
        session = self.rooms.get(session_id)
        if session is None:
            return ""
        self.store.flush(session_id)  # it is about to end: its last state goes to disk now
        try:
            return await asyncio.wait_for(self.facilitator.summarize(session.to_dict()), SUMMARY_TIMEOUT)
        except Exception:
            log.exception("summary failed")
            return ""

    async def _finish(self, sid: str, reason: str) -> None:
        found = self.rooms.locate(sid)
        if found is None:
            return
        summary = await self.summary(found[0].session_id)
        if self.rooms.locate(sid) is not None:  # it may have ended while the summary was written
            self.rooms.leave(sid, self.now(), reason=reason, summary=summary)

    # -- host operations (the window calls these) -----------------------------------------
    async def end_session(self, session_id: str, reason: str = HOST_ENDED) -> bool:
        if self.rooms.get(session_id) is None:
            return False
        summary = await self.summary(session_id)
        if self.rooms.get(session_id) is None:
            return False
        self.rooms.end(session_id, reason, self.now(), summary)
        await self.flush()
        return True

    async def _end_all(self, reason: str) -> None:
        self.rooms.clear_line()
        for session in self.rooms.sessions:
            await self.end_session(session.session_id, reason)
        await self.flush()

    async def reset(self) -> str:
        """End every session, disconnect everyone, delete every file, rotate the join token."""
        await self._end_all(RESET)
        self.again.clear()
        if self.evening is not None:
            self.evening.reset()
        self.token = secrets.token_urlsafe(24)
        await self._disconnect_everyone()
        self.store.clear_stale()
        self.announce("token", token=self.token, url=self.join_url)
        return self.token

    def set_spiciness(self, level: int) -> None:
        self.rooms.set_spiciness(level)
        self.settings = self.settings.replace(spiciness=level)
