"""Start-up of the window: QApplication, the qasync loop, the server on it, a polite shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from heartlink_desktop.gui.bridge import Bridge, HostBuilder
from heartlink_desktop.gui.loop import new_loop
from heartlink_desktop.gui.style import app_icon
from heartlink_desktop.gui.window import MainWindow
from heartlink_desktop.paths import Paths
from heartlink_desktop.settings import Settings


def _say(text: str) -> None:
    print(text, flush=True)


async def run_window(
    settings: Settings,
    paths: Paths,
    build_host: HostBuilder,
    *,
    ready: Callable[[MainWindow], None] | None = None,
    handle_signals: bool = False,
) -> int:
    """Show the window, serve until it closes, then end the sessions and stop. Returns 0."""
    bridge = Bridge(settings, paths, build_host)
    window = MainWindow(bridge)
    closed = asyncio.Event()
    window.closing.connect(closed.set)

    def announce(port: int, url: str) -> None:
        _say(f"HeartLink is listening. Join URL: {url}")
        status = bridge.status
        if status.cert is not None:
            _say(
                f"Certificate SHA-256 {status.cert.short_fingerprint}; CA for phones at "
                f"https://{status.address}:{port}/ca.crt"
            )

    bridge.listening.connect(announce)
    bridge.port_busy.connect(
        lambda port, offer: _say(f"Port {port} is already in use; the window offers {offer}.")
    )
    bridge.url_changed.connect(lambda url: _say(f"New join URL: {url}"))
    loop = asyncio.get_running_loop()
    signals: list[signal.Signals] = []
    if handle_signals and os.name == "posix":
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, window.close)
                signals.append(sig)
    window.show()
    if ready is not None:
        ready(window)
    try:
        await bridge.start()
        await closed.wait()
        _say("Stopping: telling the peers and closing sessions.")
        await bridge.shutdown()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        window.hide()
        window.deleteLater()
    return 0


def _no_display() -> bool:
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(settings: Settings, paths: Paths, build_host: HostBuilder) -> int:
    """The window for the host `build_host` makes (the composition root passes `app.build_host`)."""
    if _no_display():
        print(
            "heartlink-desktop: no display found (no DISPLAY or WAYLAND_DISPLAY); "
            "run with --headless to serve without a window",
            file=sys.stderr,
        )
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("HeartLink")
    app.setDesktopFileName("heartlink-desktop")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the main coroutine decides when to stop, after the server
    return asyncio.run(
        run_window(settings, paths, build_host, handle_signals=True),
        loop_factory=lambda: new_loop(app, plain=settings.plain_io),
    )
