"""Run the host on a qasync (Qt) loop and relay many signaling messages between two peers.

Run as a script by test_qasync_relay.py: a crash of the interpreter (the PySide6 trap on
CPython 3.11 shows up after about a thousand loop callbacks) must fail that test, not kill
pytest. Prints `relayed N` on success. `plain` as the second argument: the window's loop and
the host as `--plain-io` makes them (qasync's own loop, the libraries' public paths).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from heartlink_desktop.gui.loop import new_loop
from tests.support import Clients, running_host

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
PLAIN = sys.argv[2:3] == ["plain"]


async def scenario(data_dir: Path) -> int:
    async with running_host(data_dir, grace_seconds=0, plain_io=PLAIN) as host:
        cl = Clients(host)
        try:
            a, b = await cl.pair()
            for i in range(MESSAGES):
                cand = {"candidate": f"candidate:{i} 1 udp 1 127.0.0.1 {1024 + i} typ host", "sdpMid": "0"}
                await b.emit("ice_candidate", {"target": a.sid, "candidate": cand})
                if i % 200 == 199:  # stay under Engine.IO's 16-packets-per-poll limit
                    await a.wait_for("ice_candidate", i + 1)
            last = await a.wait_for("ice_candidate", MESSAGES, timeout=60)
            assert last["candidate"]["candidate"].startswith(f"candidate:{MESSAGES - 1} ")
            got = [m["candidate"]["candidate"].split()[0] for m in a.received["ice_candidate"]]
            assert got == [f"candidate:{i}" for i in range(MESSAGES)], "out of order or lost"
            return len(got)
        finally:
            await cl.close()


def main() -> int:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        n = asyncio.run(scenario(Path(tmp)), loop_factory=lambda: new_loop(app, plain=PLAIN))
    print(f"relayed {n}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
