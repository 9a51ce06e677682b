"""Composition root: the command line, the paths, then the window or the headless server."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import sys

from heartlink_desktop import internals
from heartlink_desktop.agent import facilitator
from heartlink_desktop.core.evening import PAUSED
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.console import Console
from heartlink_desktop.server.host import HostServer, PortInUseError
from heartlink_desktop.server.lifecycle import Lifecycle
from heartlink_desktop.settings import Settings, SettingsError, parse_args
from heartlink_desktop.speech import install as install_speech

log = logging.getLogger("heartlink_desktop")


def load_settings(argv: list[str] | None) -> tuple[Settings, Paths]:
    first = parse_args(argv)  # to learn --data-dir
    paths = Paths(first.data_dir)
    return parse_args(argv, paths.load_settings()), paths


def build_host(settings: Settings, paths: Paths) -> HostServer:
    """The composition root of the server: the host with every part installed, always the
    facilitator, the session timers and speech to text (its engine may be off), and the
    evening when the settings ask for rounds. A part that fails to import fails here."""
    host = HostServer(settings, paths)
    host.facilitator = agent = facilitator(host.rooms, host.rooms.talk, lambda: host.settings, host.now)
    host.services.append(agent)
    host.services.append(Lifecycle(host.rooms.expiry, host.rooms.subscribe, host.summary, host.now))
    host.speech = speech = install_speech(host, settings)  # the host, seen as what speech needs
    host.services.append(speech)
    if settings.rounds is not None:
        host.new_evening(settings.rounds, settings.round_minutes, settings.break_seconds)
    return host


async def run_headless(settings: Settings, paths: Paths) -> int:
    host = build_host(settings, paths)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    try:
        await host.start()
    except PortInUseError as exc:
        print(f"heartlink-desktop: {exc}", file=sys.stderr)
        return 2
    print(f"HeartLink is listening. Join URL: {host.join_url}", flush=True)
    assert host.cert is not None
    print(
        f"Certificate SHA-256 {host.cert.short_fingerprint}; CA for phones at "
        f"https://{host.address}:{host.port}/ca.crt",
        flush=True,
    )
    if host.speech is not None:
        print(f"Speech to text: {host.speech.describe()}", flush=True)
    console = Console(host)
    if host.evening is not None:
        console.say(f"An evening of {settings.rounds} rounds of {settings.round_minutes:g} minutes.")
        if host.evening.evening.state == PAUSED:  # picked up after a crash
            console.say(host.evening.status_line())
    console.say(console.greeting())
    console.read(loop)
    await stop.wait()
    print("Stopping: telling the peers and closing sessions.", flush=True)
    await host.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # frozen: a speech worker process runs its task, not the app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for library in internals.unchecked():
        log.warning(
            "%s: its internals were not checked at this version; if the host misbehaves, try --plain-io",
            library,
        )
    try:
        settings, paths = load_settings(argv)
    except SettingsError as exc:
        print(f"heartlink-desktop: {exc}", file=sys.stderr)
        return 2
    if settings.headless:
        return asyncio.run(run_headless(settings, paths))
    try:
        from heartlink_desktop.gui.main import run_gui
    except ImportError as exc:
        print(f"heartlink-desktop: the window is not available ({exc}); use --headless", file=sys.stderr)
        return 2
    return run_gui(settings, paths, build_host)


if __name__ == "__main__":
    sys.exit(main())
