"""Make docs/screenshots/window.png: the window with a live pair, taken offscreen.

Run from the repository root: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.screenshot
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from heartlink_desktop.app import build_host
from heartlink_desktop.gui.main import run_window
from heartlink_desktop.gui.window import MainWindow
from heartlink_desktop.paths import Paths
from heartlink_desktop.settings import Settings
from tests.support import Clients, until

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "window.png"

TALK = [
    ("a", "Hi! So you're into bouldering too?"),
    ("b", "Yes, mostly indoors. I'm still scared of real rock, honestly."),
    ("a", "Same. The one time I tried outside I froze halfway up."),
    ("b", "What got you started?"),
    ("a", "A friend dragged me along after a terrible week. It helped a lot."),
]


async def shoot(data_dir: Path, out: Path) -> None:
    # every network, the usual port: as a host sees it (the clients still come over loopback)
    settings = Settings(host="0.0.0.0", port=8765, silence_seconds=3600, turns_without_ai=100_000).validate()
    shown: asyncio.Future[MainWindow] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(run_window(settings, Paths(data_dir), build_host, ready=shown.set_result))
    window = await shown
    window.resize(1240, 800)
    await until(lambda: window.bridge.running)
    host = window.bridge.host
    peers = Clients(host)
    try:
        a, b = await peers.new("a"), await peers.new("b")
        info = await a.join("Maya", age=29, personality_type="extrovert", hobbies=["bouldering", "jazz"])
        await b.join("Sam", age=31, personality_type="introvert", interests=["film", "bouldering"])
        sid = info["session_id"]
        peer = {"a": a, "b": b}
        for who, text in TALK[:2]:
            await peer[who].emit("transcript_update", {"text": text})
        await until(lambda: len(window.model.views[sid].transcript) >= 2)
        host.rooms.talk.add_interjection(
            sid, "What is something you were scared of once and now love?", host.now()
        )
        for who, text in TALK[2:]:
            await peer[who].emit("transcript_update", {"text": text})
        await until(lambda: len(window.model.views[sid].transcript) >= len(TALK) + 1)
        await asyncio.sleep(1.2)  # a second on the clocks
        window._redraw_slots()
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out}")
    finally:
        await peers.close()
        window.close()
        await task


def take(shooter: Callable[[Path, Path], Awaitable[None]], out: Path) -> int:
    """Run one `shoot(data_dir, out)` on a qasync loop, with a throwaway data folder."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(shooter(Path(tmp), out), loop_factory=lambda: qasync.QEventLoop(app))
    return 0


def main() -> int:
    return take(shoot, OUT)


if __name__ == "__main__":
    sys.exit(main())
