"""Session files off the loop: coalesced, never for a speaking toggle, flushed before an end,
a stop and a reset, and whole JSON with at most the last interval missing after kill -9."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from heartlink_desktop.server.host import HostServer
from heartlink_desktop.server.store import WRITE_INTERVAL
from tests.integration.test_headless import _start
from tests.support import WAIT, Peer, Serve, until

pytestmark = pytest.mark.asyncio


QUIET = {"silence_seconds": 3600, "turns_without_ai": 100_000}  # the facilitator adds no line


def lines_in(path: Path) -> list[str]:
    return [e["text"] for e in json.loads(path.read_text())["transcript"]]


async def on_disk(host: HostServer) -> None:
    await asyncio.wrap_future(host.store.flush())


async def test_speaking_toggles_alone_never_write_the_file(serve: Serve) -> None:
    host, clients = await serve()
    host.store.interval = 0.02  # short: a toggle that counted would be written at once
    a, b = await clients.pair()
    path = host.store.path(a.received["session_info"][0]["session_id"])
    await on_disk(host)
    writes, inode = host.store.writes, path.stat().st_ino
    for n in range(40):
        await a.emit("audio_activity", {"speaking": n % 2 == 0})
    # the host handles one client's events in order: when b has this, a's toggles are done
    await a.emit("ice_candidate", {"target": b.sid, "candidate": {"candidate": "c"}})
    await b.wait_for("ice_candidate")
    await on_disk(host)  # anything pending would be written now
    assert host.store.writes == writes and path.stat().st_ino == inode
    before = json.loads(path.read_text())["last_audio_activity"]

    await a.emit("transcript_update", {"text": "now a line"})
    await b.wait_for("transcript_update")
    await on_disk(host)
    assert host.store.writes == writes + 1 and path.stat().st_ino != inode
    saved = json.loads(path.read_text())
    assert [e["text"] for e in saved["transcript"]] == ["now a line"]
    assert before is None and saved["last_audio_activity"]  # the toggles ride along with it


async def test_a_burst_of_lines_is_written_at_most_once_per_interval(serve: Serve) -> None:
    host, clients = await serve(**QUIET)
    interval = host.store.interval = 0.2
    a, b = await clients.pair()
    path = host.store.path(a.received["session_info"][0]["session_id"])
    await on_disk(host)
    writes = host.store.writes
    start = time.monotonic()
    for n in range(120):
        await (a if n % 2 else b).emit("transcript_update", {"text": f"line {n}"})
    await a.wait_for("transcript_update", 120, timeout=30)
    elapsed = time.monotonic() - start
    await until(lambda: len(lines_in(path)) == 120, timeout=interval + WAIT)
    made = host.store.writes - writes
    assert 1 <= made <= 2 + elapsed / interval, (made, elapsed)
    assert made < 60  # not one per line
    assert lines_in(path) == [f"line {n}" for n in range(120)]


@pytest.mark.parametrize("how", ["leave", "end_session", "reset", "stop"])
async def test_the_last_lines_are_on_disk_before_a_session_ends(serve: Serve, how: str) -> None:
    """With an interval far longer than the test, lines reach the file only by the flush that
    comes before an ending: the summary (which may take 20 s) is written with the file whole."""
    host, clients = await serve(**QUIET)
    host.store.interval = 3600.0
    seen: list[list[str]] = []

    async def summarize(snapshot: dict[str, Any]) -> str:
        path = host.store.path(str(snapshot["session_id"]))
        await until(lambda: len(lines_in(path)) == 5)  # the file, not the snapshot
        seen.append(lines_in(path))
        return "summary"

    host.facilitator.summarize = summarize  # type: ignore[method-assign]
    a, b = await clients.pair()
    sid = a.received["session_info"][0]["session_id"]
    await until(lambda: host.store.writes >= 1)  # the first write comes at once
    await until(lambda: host.store.path(sid).exists())
    for n in range(5):
        await a.emit("transcript_update", {"text": f"line {n}"})
    await b.wait_for("transcript_update", 5)
    assert lines_in(host.store.path(sid)) == []  # the interval holds them back
    if how == "leave":
        await a.emit("leave")
    elif how == "end_session":
        assert await host.end_session(sid)
    elif how == "reset":
        await host.reset()
    else:
        await host.stop()
    for peer in (a, b):
        assert (await peer.wait_for("session_ended"))["summary"] == "summary"
    assert seen == [[f"line {n}" for n in range(5)]]
    await until(lambda: host.store.files() == [])
    assert list(host.paths.sessions.iterdir()) == []  # no file, no temporary left


async def test_after_kill_9_every_file_is_whole_and_lacks_at_most_the_last_interval(data_dir: Path) -> None:
    quiet = ("--silence-seconds", "3600", "--turns-without-ai", "100000")
    proc, m = await _start(data_dir, "--max-pairs", "3", "--grace-seconds", "0", *quiet)
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers = [Peer(url, cert, f"p{n}") for n in range(6)]
    heard: dict[str, dict[str, float]] = {}  # session -> line -> when the partner had it
    try:
        for p in peers:
            await p.connect(m["token"])
        pairs = []
        for a, b in zip(peers[::2], peers[1::2], strict=True):
            await a.join("A")
            info = await b.join("B")
            pairs.append((info["session_id"], a, b))
            heard[info["session_id"]] = {}

        async def talk(session_id: str, a: Peer, b: Peer) -> None:
            n = 0
            while True:
                text = f"{session_id} {n}"
                await a.emit("transcript_update", {"text": text})
                await b.wait_for("transcript_update", n + 1)
                heard[session_id][text] = time.monotonic()  # the host has handled it
                n += 1
                await asyncio.sleep(0.01)  # about 50 lines a second per pair

        talking = [asyncio.ensure_future(talk(*p)) for p in pairs]
        await until(lambda: all(len(h) >= 150 for h in heard.values()), timeout=60)
        proc.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.wait_for(proc.wait(), WAIT)
        for t in talking:
            t.cancel()
        await asyncio.gather(*talking, return_exceptions=True)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        for p in peers:
            await p.close()

    files = sorted((data_dir / "sessions").glob("session_*.json"))
    assert [f.stem for f in files] == sorted(heard)
    bound = WRITE_INTERVAL + 0.5  # the interval, one write, and the scheduling of a busy machine
    for f in files:
        saved = json.loads(f.read_text())  # whole JSON, or this raises
        kept = [e["text"] for e in saved["transcript"]]
        lines = heard[f.stem]
        old = [t for t, at in lines.items() if at < killed - bound]
        assert len(old) >= 30
        assert kept[: len(old)] == old, f"{f.name}: lines older than {bound} s are missing"
        assert all(t.startswith(f"{f.stem} ") for t in kept)  # its own lines, no other
