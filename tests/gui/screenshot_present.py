"""Make docs/screenshots/window-present.png: the Present view during a round, as a projector
shows it (1280x720), offscreen.

Run from the repository root: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.screenshot_present
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from heartlink_desktop.app import build_host
from heartlink_desktop.gui.main import run_window
from heartlink_desktop.gui.window import MainWindow
from heartlink_desktop.paths import Paths
from heartlink_desktop.settings import Settings
from tests.gui.screenshot import take
from tests.support import Clients, until

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "window-present.png"
PEOPLE = ("Maya", "Sam", "Ines", "Tom", "Lea", "Noah", "Ada")


async def shoot(data_dir: Path, out: Path) -> None:
    settings = Settings(
        host="0.0.0.0", port=8765, rounds=4, round_minutes=5, silence_seconds=3600, turns_without_ai=100_000
    ).validate()
    shown: asyncio.Future[MainWindow] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(run_window(settings, Paths(data_dir), build_host, ready=shown.set_result))
    window = await shown
    await until(lambda: window.bridge.running)
    host = window.bridge.host
    assert host.evening is not None
    peers = Clients(host)
    try:
        for name in PEOPLE:
            peer = await peers.new(name)
            await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}})
            await peer.wait_for("evening_joined")
        await host.evening.command("start")
        view = window.present_view
        view.resize(1280, 720)  # a projector's screen, not the offscreen one
        view.show()
        await until(lambda: view.evening.text().startswith("Round 1 of 4"))
        await asyncio.sleep(1.2)  # a second on the clock
        out.parent.mkdir(parents=True, exist_ok=True)
        view.grab().save(str(out))
        print(f"wrote {out}")
    finally:
        await peers.close()
        window.close()
        await task


def main() -> int:
    return take(shoot, OUT)


if __name__ == "__main__":
    sys.exit(main())
