"""The host server: HTTPS + Socket.IO on one port; its lifecycle (certificate, start, stop),
the outgoing queue, and the operations the namespace and the window call. HTTP is in web.py,
the translation of core events to wire events in relay.py."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from heartlink_desktop import net, tls
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.rooms import Rooms
from heartlink_desktop.core.vocab import (
    HOST_ENDED,
    HOST_STOPPED,
    PEER_DISCONNECTED,
    PEER_LEFT,
    RESET,
    SUMMARY_TIMEOUT,
)
from heartlink_desktop.paths import Paths
from heartlink_desktop.server import fast
from heartlink_desktop.server.again import Again
from heartlink_desktop.server.listener import GatedSite, Listener
from heartlink_desktop.server.outbox import InlineManager, Outbox
from heartlink_desktop.server.protocol import HeartLinkNamespace, HeartLinkServer
from heartlink_desktop.server.relay import Relay
from heartlink_desktop.server.services import FacilitatorPart, NoFacilitator, Service, SpeechPart
from heartlink_desktop.server.store import SessionStore
from heartlink_desktop.server.web import build_app, same_origin
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
        self.token = self._kept_token()
        self.clients: set[str] = set()
        self.port: int | None = None
        self.addresses: list[net.LanAddress] = []
        self.address = "127.0.0.1"
        self.cert: tls.CertStatus | None = None
        self._ssl: Any = None
        self._listeners: list[Callable[[ServerEvent], None]] = []
        self._outbox = Outbox(eager=not settings.plain_io)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self.listener: Listener | None = None  # the connections open, refused; made at start
        # Installed by the composition root (app.build_host): the facilitator always, speech
        # always (its engine may be off), the evening for an evening of rounds.
        self.facilitator: FacilitatorPart = NoFacilitator()
        self.speech: SpeechPart | None = None
        self.services: list[Service] = []  # started in order with the server, stopped in reverse

        # async_handlers off: each client event is handled where it is read, not in a task of
        # its own (the handlers do not wait; what goes out, the outbox sends).
        self.sio = HeartLinkServer(
            client_timeout=settings.client_timeout,
            async_mode="aiohttp",
            async_handlers=False,
            client_manager=None if settings.plain_io else InlineManager(),
            max_http_buffer_size=ENGINE_MAX_BYTES,
            cors_allowed_origins=same_origin,
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
        )
        fast.install(self.sio, plain=settings.plain_io, body_timeout=settings.request_timeout)
        self.sio.register_namespace(HeartLinkNamespace(self))
        self.app = build_app(self._ca_file)
        self.sio.attach(self.app)
        self.store.attach(self.rooms.get)
        self.rooms.subscribe(self.store)
        self.relay = Relay(self)
        self.rooms.subscribe(self.relay)
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

    def _kept_token(self) -> str:
        """The join token of the last run (a crash must not cost every phone its link), or a
        new one (192 bits), kept from now on."""
        token = self.paths.load_token()
        if token is None:
            token = secrets.token_urlsafe(24)
            try:
                self.paths.save_token(token)
            except OSError:
                log.warning("could not keep the join token: after a crash the phones must scan again")
        return token

    def _ca_file(self) -> Path:
        assert self.cert is not None
        return self.cert.ca_file

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
        # keepalive_timeout: aiohttp closes a connection whose request head has not arrived
        # that long after it opened or after its last response (a half-sent request, an idle
        # kept-alive one); its default is an hour.
        self._runner = web.AppRunner(
            self.app,
            handle_signals=False,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            keepalive_timeout=self.settings.request_timeout,
        )
        await self._runner.setup()
        s = self.settings
        reason = (
            f"--max-connections {s.max_connections}"
            if s.max_connections is not None
            else f"4 per seat from --max-pairs {s.max_pairs}; --max-connections sets it"
        )
        self.listener = Listener(
            s.connection_cap, s.handshake_timeout, reason=reason, lean=False if s.plain_io else None
        )
        site = GatedSite(self._runner, s.host, s.port, ssl_context=self._ssl, listener=self.listener)
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
        if self.listener is not None:
            self.listener.close()
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
    def enqueue(self, send: Callable[[], Awaitable[Any]]) -> None:
        """Send in order with everything else the host sends (`send` is called when its turn comes)."""
        self._outbox.put(send)

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent, and the session files written."""
        await self._outbox.join()
        await asyncio.wrap_future(self.store.flush())

    def send(self, event: str, data: dict[str, Any], *, to: str, skip_sid: str | None = None) -> None:
        self.enqueue(lambda: self.sio.emit(event, data, to=to, skip_sid=skip_sid))

    def send_error(self, sid: str, exc: CoreError) -> None:
        body: dict[str, Any] = {"error": exc.code, "message": exc.message}
        if exc.details:
            body["details"] = exc.details
        self.send("session_error", body, to=sid)

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
        try:
            self.paths.save_token(self.token)  # the old link stops working now, and after a restart
        except OSError:  # never let a restart bring the old link back
            self.paths.token_file.unlink(missing_ok=True)
            log.warning("could not keep the new join token: after a crash the phones must scan again")
        await self._disconnect_everyone()
        self.store.clear_stale()
        self.announce("token", token=self.token, url=self.join_url)
        return self.token

    def set_spiciness(self, level: int) -> None:
        self.rooms.talk.set_spiciness(level)
        self.settings = self.settings.replace(spiciness=level)
