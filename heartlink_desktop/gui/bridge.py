"""The one object between the window and the server: events in as Qt signals, actions out as
tasks, and the host's state as it stands (`HostStatus`). Only this module holds the host."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.safety import Report
from heartlink_desktop.core.vocab import ROLES
from heartlink_desktop.gui.status import HostStatus, plain_error
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.host import HostServer, PortInUseError, ServerEvent
from heartlink_desktop.settings import Settings, SettingsError

log = logging.getLogger(__name__)

# Core events after which the window redraws a session's card from its header (a small copy,
# without the transcript: lines come one by one with transcript_line).
_SNAPSHOT_KINDS = {ev.CREATED, ev.JOINED, ev.PHASE, ev.UPDATED}

HostBuilder = Callable[[Settings, Paths], HostServer]
"""What the composition root hands the window: `app.build_host`, the host with every part."""


def status_of(host: HostServer, running: bool) -> HostStatus:
    return HostStatus(
        running=running,
        port=host.port,
        bind=host.settings.host,
        address=host.address,
        addresses=tuple(host.addresses),
        join_url=host.join_url,
        cert=host.cert,
        clients=len(host.clients),
        max_pairs=host.settings.max_pairs,
        queue_enabled=host.settings.queue_enabled,
        meet_mode=host.guard.mode,
    )


class Bridge(QObject):
    """The window's one way to the host: it builds and starts the host (through the builder the
    composition root passes in), turns the core's and the host's news into the Qt signals below
    and keeps `status` (a HostStatus) up to date before each; the widgets call its slots, which
    schedule the host's coroutines and never wait. Owned by `gui/main.py`."""

    # sessions (from the core)
    session_changed = Signal(str, object)  # session_id, header (the session file's shape, no transcript)
    slot_state = Signal(str, str, str)  # session_id, role, "left" | "reconnecting" | "connected"
    transcript_line = Signal(str, object)  # session_id, entry
    session_ended = Signal(str, str, str)  # session_id, reason, summary
    queue_changed = Signal(object)  # the line: [{"sid", "name", "position", "since"}], first first
    # the server (each after `status` was brought up to date)
    status_changed = Signal(object)  # HostStatus
    listening = Signal(int, str)  # port, join URL
    stopped = Signal()
    clients_changed = Signal(int)
    url_changed = Signal(str)
    certificate_changed = Signal(object)  # tls.CertStatus
    port_busy = Signal(int, int)  # the busy port, a free one to offer
    problem = Signal(str)  # plain words, shown in the status panel
    notice = Signal(str)  # passing news for the status bar
    reset_done = Signal()
    settings_saved = Signal(object)  # Settings
    speech_changed = Signal(object)  # the speech service's status dict
    # an evening of rounds, and the private "again?" answers (counts only)
    evening_changed = Signal(object)  # the evening's status dict ({"enabled": False} when off)
    again_changed = Signal(object)  # {"asked", "answered", "mutual"}
    # safe to meet strangers (server/guard.py)
    reports_changed = Signal(object)  # every report since the last reset: [core.safety.Report], oldest first
    removals_changed = Signal(object)  # who is removed: [{"person", "name", "at"}]
    meet_mode_changed = Signal(str)  # who meets whom: "preferences" | "everyone"

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        build_host: HostBuilder,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings  # as saved for the next start; the host's own may differ
        self.paths = paths
        self._build_host = build_host
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self.host = build_host(settings, paths)
        self.status = status_of(self.host, running=False)
        self._attach(self.host)

    @property
    def running(self) -> bool:
        return self.status.running

    # -- events in ------------------------------------------------------------------------
    def _attach(self, host: HostServer) -> HostServer:
        for undo in self._unsubscribe:
            undo()
        self._unsubscribe = [host.rooms.subscribe(self._on_core), host.subscribe(self._on_server)]
        return host

    def _update_status(self, running: bool | None = None) -> None:
        """Copy the host's state into `status`; say so when it changed."""
        status = status_of(self.host, self.running if running is None else running)
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)

    def _on_core(self, event: Event) -> None:
        try:
            self._relay_core(event)
        except Exception:  # the window must never break the server's event chain
            log.exception("the window could not show a %r event", event.kind)

    def _relay_core(self, event: Event) -> None:
        d = event.data
        if event.kind in _SNAPSHOT_KINDS:
            self._emit_header(event.session_id)
        elif event.kind == ev.TRANSCRIPT:
            self.transcript_line.emit(event.session_id, dict(d.get("entry", {})))
        elif event.kind == ev.LEFT:
            self.slot_state.emit(event.session_id, str(d.get("role", "")), "left")
        elif event.kind == ev.ENDED:
            self.session_ended.emit(event.session_id, str(d.get("reason", "")), str(d.get("summary") or ""))
        elif event.kind == ev.PEER_STATUS:  # the header first: it says who holds the slot now
            self._emit_header(event.session_id)
            state = str(d.get("state") or "")
            if d.get("role") in ROLES and state:
                self.slot_state.emit(event.session_id, d["role"], state)
        elif event.kind == ev.QUEUE:
            line = d.get("line")
            self.queue_changed.emit([dict(w) for w in line] if isinstance(line, list) else [])
        # audio, deleted and kinds this window does not know yet: nothing to show

    def _emit_header(self, session_id: str) -> None:
        head = self.host.rooms.snapshot(session_id, transcript=False)
        if head is not None:
            self.session_changed.emit(session_id, head)

    def _on_server(self, event: ServerEvent) -> None:
        try:
            d = event.data
            self._update_status(
                True if event.kind == "listening" else False if event.kind == "stopped" else None
            )
            if event.kind == "listening":
                self.listening.emit(int(d.get("port", 0)), str(d.get("url", "")))
            elif event.kind == "stopped":
                self.stopped.emit()
            elif event.kind == "clients":
                self.clients_changed.emit(int(d.get("count", 0)))
            elif event.kind == "token":  # also a reset's: its reports are gone
                self.url_changed.emit(str(d.get("url", self.status.join_url)))
                self.reports_changed.emit(self.reports())
            elif event.kind == "certificate":
                self.certificate_changed.emit(d.get("status"))
            elif event.kind == "speech":
                self.speech_changed.emit(d.get("status"))
            elif event.kind == "evening":
                self.evening_changed.emit(dict(d))
            elif event.kind == "evening_news":  # e.g. it went on by itself after a crash
                self.notice.emit(str(d.get("line", "")))
            elif event.kind == "again":
                self.again_changed.emit(dict(d))
            elif event.kind == "report":
                self.reports_changed.emit(self.reports())
            elif event.kind == "removed":
                self.removals_changed.emit([dict(r) for r in d.get("removals") or []])
            elif event.kind == "meet_mode":
                self.meet_mode_changed.emit(str(d.get("mode", "")))
        except Exception:
            log.exception("the window could not show a %r server event", event.kind)

    # -- actions out ----------------------------------------------------------------------
    def _run(self, what: str, work: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run a server call on the loop; a failure becomes one plain sentence."""

        async def guarded() -> Any:
            try:
                return await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("%s failed", what)
                self.problem.emit(plain_error(what, exc))
                return None

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> bool:
        """Start serving; on a busy port, say so and offer a free one instead of failing."""
        try:
            await self.host.start()
        except PortInUseError as exc:
            self._update_status()
            self.port_busy.emit(exc.port, exc.suggestion)
            return False
        except OSError as exc:
            log.exception("could not start the server")
            self._update_status()
            self.problem.emit(plain_error(f"Could not listen on port {self.settings.port}", exc))
            return False
        self._update_status(running=True)
        return True

    def start_on_port(self, port: int) -> asyncio.Task[Any]:
        """Try again on another port (a fresh server: the failed one keeps nothing worth having)."""

        async def restart() -> bool:
            if self.running:
                await self.host.stop()
                self._update_status(running=False)
            self.settings = self.settings.replace(port=port)
            self.host = self._attach(self._build_host(self.settings, self.paths))
            self._update_status()
            ok = await self.start()
            if ok:
                self.save(port=port)
            return ok

        return self._run(f"Starting on port {port}", restart())

    def end_session(self, session_id: str) -> asyncio.Task[Any]:
        return self._run("Ending the conversation", self.host.end_session(session_id))

    def reset(self) -> asyncio.Task[Any]:
        async def reset() -> None:
            await self.host.reset()
            self._update_status()
            self.reset_done.emit()

        return self._run("Reset", reset())

    def interject(self, session_id: str) -> None:
        """Have the facilitator speak now (it only asks for a line: nothing to wait for)."""
        try:
            said = self.host.facilitator.interject_now(session_id)
        except Exception as exc:
            log.exception("asking the facilitator failed")
            self.problem.emit(plain_error("Asking the facilitator", exc))
            return
        if not said:
            self.notice.emit("The facilitator speaks once both people are in the call.")

    def evening_status(self) -> dict[str, Any]:
        """Where the evening stands now ({"enabled": False} when the host runs no evening)."""
        return self.host.evening.status() if self.host.evening is not None else {"enabled": False}

    def evening_command(self, name: str) -> asyncio.Task[Any]:
        """start | next | end: the answer, one line of plain words, shows as a notice."""

        async def command() -> None:
            if self.host.evening is None:
                self.notice.emit("Turn on the evening of rounds first.")
                return
            self.notice.emit(await self.host.evening.command(name))

        return self._run(f"The evening's {name!r}", command())

    def set_evening(self, rounds: int | None, round_minutes: float) -> asyncio.Task[Any]:
        """The window's mode switch: an evening of `rounds` (None: ordinary conversations)."""

        async def switch() -> None:
            try:
                await self.host.switch_evening(rounds, round_minutes, self.settings.break_seconds)
            except CoreError as exc:
                self.notice.emit(exc.message)
            self.evening_changed.emit(self.evening_status())

        return self._run("Switching the evening", switch())

    # -- reports, removals, who meets whom ---------------------------------------------------
    def reports(self) -> list[Report]:
        return self.host.guard.reports()

    def removals(self) -> list[dict[str, str]]:
        return self.host.guard.removals()

    def remove_person(self, target: str, name: str = "") -> asyncio.Task[Any]:
        """Remove someone the host confirmed: by their socket or person key (`target`), else,
        when nobody has that key any more, by `name`. The answer shows as a notice."""

        async def remove() -> None:
            said = ""
            for who in dict.fromkeys(w for w in (target, name) if w):
                try:
                    removal = await self.host.guard.remove(who)
                except CoreError as exc:
                    said = said or exc.message
                    continue
                self.notice.emit(f"Removed {removal.name}: they cannot join again until you undo it.")
                return
            self.notice.emit(said or "Whom to remove? Give a name.")

        return self._run("Removing someone", remove())

    def undo_removal(self, target: str) -> None:
        """Let a removed person (by name, or key) join again."""
        try:
            name = self.host.guard.undo(target)
        except CoreError as exc:
            self.notice.emit(exc.message)
            return
        self.notice.emit(f"{name} may join again.")

    def set_meet_mode(self, mode: str) -> None:
        """Who meets whom, from now on (the line and the next round), and at the next start."""
        try:
            self.host.guard.set_mode(mode)
        except CoreError as exc:
            self.problem.emit(exc.message)
            return
        self.save(meet_mode=self.host.guard.mode)

    def set_spiciness(self, level: int) -> None:
        try:
            self.host.set_spiciness(level)
        except Exception as exc:
            self.problem.emit(plain_error("Changing the spiciness", exc))
            return
        self.save(spiciness=level)

    def set_stt(self, engine: str) -> None:
        """The speech-to-text engine chosen in the window; kept for the next start."""
        speech = self.host.speech
        if speech is None:
            self.problem.emit("Changing the speech-to-text engine: this host has no speech to text.")
            return
        try:
            speech.set_engine(engine)
        except Exception as exc:
            self.problem.emit(plain_error("Changing the speech-to-text engine", exc))
            return
        self.save(stt="pocketsphinx" if engine == "openai" else engine)  # a --stt-url means the service

    def choose_address(self, ip: str) -> None:
        try:
            self.host.choose_address(ip)
        except Exception as exc:
            log.exception("choosing %s failed", ip)
            self.problem.emit(plain_error(f"Using the address {ip}", exc))
            return
        self.save(address=ip)

    def regenerate_certificate(self) -> None:
        try:
            self.host.refresh_certificate(force=True)
        except Exception as exc:
            log.exception("regenerating the certificate failed")
            self.problem.emit(plain_error("Regenerating the certificate", exc))

    def save(self, **changes: Any) -> bool:
        """Keep settings the host changed in the window for the next start."""
        try:
            self.settings = self.settings.replace(**changes)
            saved = self.paths.load_settings()
            saved.update({k: v for k, v in self.settings.persisted().items() if k in changes})
            self.paths.save_settings(saved)
        except (SettingsError, OSError) as exc:
            self.problem.emit(plain_error("Saving the settings", exc))
            return False
        self.settings_saved.emit(self.settings)
        return True

    async def shutdown(self) -> None:
        """End the sessions politely, flush the files, stop serving; leave no task behind."""
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _, still = await asyncio.wait(pending, timeout=5.0)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1.0)
        if self.running:
            await self.host.stop()
            self._update_status(running=False)
        for undo in self._unsubscribe:
            undo()
        self._unsubscribe = []
