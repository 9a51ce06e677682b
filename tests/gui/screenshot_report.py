"""Make docs/screenshots/window-report.png: the window just after someone reported their partner,
with two conversations going on and two people in the queue, offscreen.

Run from the repository root: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.screenshot_report
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

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "window-report.png"
NOTE = "Kept asking for my address after I said no."


async def shoot(data_dir: Path, out: Path) -> None:
    settings = Settings(
        host="0.0.0.0", port=8765, max_pairs=2, queue=True, silence_seconds=3600, turns_without_ai=100_000
    ).validate()
    shown: asyncio.Future[MainWindow] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(run_window(settings, Paths(data_dir), build_host, ready=shown.set_result))
    window = await shown
    window.LINGER_MS = 0  # the reported pair's card goes at once
    window.resize(1240, 900)
    await until(lambda: window.bridge.running)
    peers = Clients(window.bridge.host)
    try:
        people = {}
        for name in ("Maya", "Sam", "Ines", "Tom"):
            people[name] = await peers.new(name)
            await people[name].join(name)
        await people["Maya"].emit("transcript_update", {"text": "So, what brought you here tonight?"})
        await people["Ines"].emit("report", {"reason": "uncomfortable", "note": NOTE})
        await people["Ines"].wait_for("report_received")
        await people["Tom"].wait_for("session_ended")
        for name in ("Lea", "Noah", "Ana", "Ben"):
            people[name] = await peers.new(name)
            await people[name].emit("join", {"room": "matchmaking", "profile": {"name": name}})
        await until(lambda: window.line.people.count() == 2 and len(window.slots.cards) == 2)
        await asyncio.sleep(1.2)  # a second on the clocks
        window._redraw_slots()
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out}")
        if os.environ.get("CONFIRM_OUT"):  # the question Remove asks, to look at
            window.safety.report_rows[0].remove.click()
            assert window.safety.confirm is not None
            window.safety.confirm.grab().save(os.environ["CONFIRM_OUT"])
    finally:
        await peers.close()
        window.close()
        await task


def main() -> int:
    return take(shoot, OUT)


if __name__ == "__main__":
    sys.exit(main())
