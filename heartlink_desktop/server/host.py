"""The host server: HTTPS + Socket.IO on one port; its lifecycle (certificate, start, stop),
the outgoing queue, and the operations the namespace and the window call. HTTP is in web.py,
the translation of core events and notices to wire events in relay.py."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from heartlink_desktop import net, tls
from heartlink_desktop.aio import TaskSet
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.notices import Notice, Refusal, Signal
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.rooms import Rooms
from heartlink_desktop.core.safety import removed_error
from heartlink_desktop.core.transcript import Talk
from heartlink_desktop.core.vocab import (
    EVENING_OVER,
    HOST_ENDED,
    HOST_STOPPED,
    LOBBY,
    PEER_DISCONNECTED,
    PEER_LEFT,
    RESET,
    SUMMARY_TIMEOUT,
)
from heartlink_desktop.paths import Paths
from heartlink_desktop.server import fast
from heartlink_desktop.server.again import Again
from heartlink_desktop.server.evening import FILE_NAME as EVENING_FILE
from heartlink_desktop.server.evening import EveningService
from heartlink_desktop.server.guard import Guard
from heartlink_desktop.server.listener import GatedSite, Listener
from heartlink_desktop.server.outbox import InlineManager, Outbox
from heartlink_desktop.server.people import People
from heartlink_desktop.server.protocol import HeartLinkNamespace, HeartLinkServer
from heartlink_desktop.server.relay import Relay
from heartlink_desktop.server.services import Entry, FacilitatorPart, NoFacilitator, Service, SpeechPart
from heartlink_desktop.server.store import SessionStore
from heartlink_desktop.server.web import build_app, same_origin
from heartlink_desktop.settings import Settings

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
    """The host: it owns the rooms, the session files, the Socket.IO server and its outbox,
    the join token and the certificate, and holds the installed parts by their Protocols
    (`facilitator`, `speech`, `evening`, `services`). The namespace reaches it as its `Front`,
    the window through gui/bridge.py, standard input through server/console.py. Its pieces go
    to the parts as ports: `rooms` (RoomsView), `relay.tell` (Notify), `announce` (News), `now`
    (Clock), `people` (People)."""

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
        self._tasks = TaskSet("the host")
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
        self.people = People()
        self.rooms.subscribe(self.people)
        self.relay = Relay(self.sio, self.rooms, self.enqueue, self.clients)
        self.rooms.subscribe(self.relay)
        # after the relay: a session's end reaches the page before its question
        self.again = Again(self.rooms, self.relay.tell, self.announce, self.now, self.people)
        # who may join and who may meet whom: reports, removals, the meet mode
        self.guard = Guard(
            self.rooms, self.people, self.relay.tell, self.announce, self.now, self, settings.meet_mode
        )
        self.guard.answers = lambda: self.again.answers
        self.rooms.person_of = self.people.person_of
        self.rooms.id_taken = lambda session_id: self.again.answers.question(session_id) is not None
        self.rooms.may_meet = self.guard.may_meet
        # Where joins go: the rooms' own matchmaking, or an evening in front of it (switch_evening).
        self.entry: Entry = self
        self.evening: EveningService | None = None

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
            await service.start()
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
        self._tasks.cancel()
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

    def notify(self, notice: Notice) -> None:
        """Tell a page something (the `Notify` port): the relay names and shapes the event."""
        self.relay.tell(notice)

    def refuse(self, sid: str, exc: CoreError) -> None:
        """Bad or unauthorized input: a session_error to that socket, in plain words."""
        self.relay.tell(Refusal(sid, exc.code, exc.message, dict(exc.details)))

    # -- what the namespace calls ---------------------------------------------------------
    @property
    def talk(self) -> Talk:
        return self.rooms.talk

    def signal(self, sid: str, event: str, target: Any, key: str, value: Any) -> None:
        """WebRTC signaling from `sid`, passed on to its partner only."""
        to = self.rooms.talk.check_target(sid, target)
        self.relay.tell(Signal(to, event, key, value, sid))

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
        await self.entry.gone(sid)

    # -- the rooms' own matchmaking (the Entry when no evening is on) ----------------------
    def join(self, sid: str, profile: Profile, payload: dict[str, Any] | None = None) -> None:
        try:
            person = self.guard.admit(sid, None, profile, payload)  # CoreError('removed')
            if person != sid:
                self.people.bind(sid, person)  # known by the page's own secret across sockets
            self.rooms.join_or_queue(sid, profile, self.now())  # seated or queued: events tell it
        except CoreError as exc:
            self.refuse(sid, exc)

    def report(self, sid: str, payload: Any) -> None:
        """`report`: the guard takes it (CoreError for a bad one goes back as session_error)."""
        self.guard.report(sid, payload)

    def end_as_leave(self, sid: str) -> None:
        """End the socket's conversation as if it left: the partner hears peer_left."""
        self._tasks.spawn(self._finish(sid, PEER_LEFT))

    async def show_out(self, sid: str) -> None:
        """A removed person: out of their conversation (as a leave), the line and the evening;
        told in plain words; their socket closed."""
        self.rooms.leave_line(sid, reason="left")
        if self.evening is not None:
            self.evening.forget(sid)
        await self._finish(sid, PEER_LEFT)
        self.refuse(sid, removed_error())
        await self.flush()
        if sid in self.clients:
            await self.sio.disconnect(sid)

    def leave(self, sid: str) -> None:
        if self.rooms.leave_line(sid, reason="left"):
            return
        if self.rooms.locate(sid) is None:
            raise CoreError("not_in_session", "You are not in a conversation.")
        self._tasks.spawn(self._finish(sid, PEER_LEFT))

    async def gone(self, sid: str) -> None:
        if self.rooms.leave_line(sid, reason="gone"):
            return
        if self.rooms.drop(sid, self.now()):
            return  # its slot is held for the grace period
        await self._finish(sid, PEER_DISCONNECTED)

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
        self.guard.reset()
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

    # -- an evening of rounds ----------------------------------------------------------------
    async def switch_evening(self, rounds: int | None, round_minutes: float, break_seconds: float) -> None:
        """Turn an evening on (rounds) or off (None), before the host starts (the composition
        root) or while it runs (the window's mode switch): only between conversations: on,
        with nobody talking or in line; off, before the first round or after the last.
        CoreError, in plain words, otherwise."""
        current = self.evening
        if rounds is None:
            if current is None:
                return
            if current.evening.state not in (LOBBY, EVENING_OVER):
                raise CoreError("evening_running", "End the evening first: it is under way.")
            await current.stop()
            current.detach()
            self.services.remove(current)
            self.evening, self.entry = None, self
            self.announce("evening", enabled=False)
            return
        if current is not None:
            if current.evening.state != LOBBY or current.evening.people:
                raise CoreError("evening_running", "The evening has people in it: end it first to change it.")
            await self.switch_evening(None, round_minutes, break_seconds)
        elif self.rooms.sessions or self.rooms.line:
            raise CoreError(
                "conversations_live", "Conversations are going on: end them (or Reset) before an evening."
            )
        service = self.new_evening(rounds, round_minutes, break_seconds)
        if self.port is not None:  # running: start it now (otherwise it starts with the host)
            await service.start()
        self.announce("evening", **service.status())

    def new_evening(self, rounds: int, round_minutes: float, break_seconds: float) -> EveningService:
        """An evening in front of the rooms' matchmaking, installed as a service and the entry."""
        service = EveningService(
            rounds=rounds,
            round_minutes=round_minutes,
            break_seconds=break_seconds,
            seating=self.rooms,
            plain=self,
            end=self.end_session,
            again=self.again,
            people=self.people,
            notify=self.relay.tell,
            news=self.announce,
            clock=self.now,
            guard=self.guard,
            file=self.paths.data / EVENING_FILE,
        )
        self.evening = service
        self.entry = service
        self.services.append(service)
        return service
