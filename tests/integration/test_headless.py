"""`heartlink-desktop --headless` as a process: the URL line, SIGTERM, exit codes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import ssl
import sys
from pathlib import Path

import pytest
import socketio

from tests.support import WAIT, Peer, headless_argv, until

URL_LINE = re.compile(r"Join URL: https://(?P<ip>[\d.]+):(?P<port>\d+)/\?t=(?P<token>[\w-]+)")


async def _start(data_dir: Path, *args: str) -> tuple[asyncio.subprocess.Process, re.Match[str]]:
    proc = await asyncio.create_subprocess_exec(
        *headless_argv(data_dir, *args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), WAIT)).decode()
        assert line, "the host exited before printing its URL"
        if m := URL_LINE.search(line):
            return proc, m


@pytest.mark.asyncio
async def test_headless_pairs_clients_and_stops_cleanly_on_sigterm(data_dir: Path) -> None:
    proc, m = await _start(data_dir, "--grace-seconds", "0")
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers = [Peer(url, cert, n) for n in ("a", "b", "c")]
    try:
        for p in peers:
            await p.connect(m["token"])
        a, b, c = peers
        await a.join("Alice")
        info = await b.join("Bob")
        await b.emit("offer", {"target": info["peer"]["id"], "offer": {"type": "offer", "sdp": "v=0"}})
        await a.wait_for("offer")
        await a.emit("answer", {"target": b.sid, "answer": {"type": "answer", "sdp": "v=0"}})
        await b.wait_for("answer")
        await c.emit("join", {"room": "matchmaking", "profile": {"name": "Carol"}})
        assert (await c.error())["error"] == "session_full"
        # files are written off the loop, within 250 ms of a change
        await until(lambda: len(list((data_dir / "sessions").glob("session_*.json"))) == 1)

        proc.send_signal(signal.SIGTERM)
        for p in (a, b):
            assert (await p.wait_for("session_ended"))["reason"] == "host_stopped"
        rc = await asyncio.wait_for(proc.wait(), WAIT)
        assert rc == 0
        assert proc.stderr is not None
        err = (await proc.stderr.read()).decode()
        assert "Traceback" not in err
        assert list((data_dir / "sessions").iterdir()) == []
    finally:
        for p in peers:
            await p.close()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def _run(*args: str) -> tuple[int, str, str]:
    import subprocess

    r = subprocess.run(
        [sys.executable, "-m", "heartlink_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return r.returncode, r.stdout, r.stderr


def test_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rc, _out, err = _run(
            "--headless", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path)
        )
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.startswith("heartlink-desktop:")]
    assert lines == [f"heartlink-desktop: port {port} is already in use; choose another with --port"]
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["--port", "notaport"], ["--max-pairs", "0"], ["--frobnicate"]])
def test_bad_option_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    rc, _out, err = _run("--headless", "--data-dir", str(tmp_path), *args)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("heartlink-desktop: ")
    assert "Traceback" not in err


@pytest.mark.asyncio
async def test_standard_input_takes_status_end_and_reset_without_an_evening(data_dir: Path) -> None:
    from tests.integration.test_rounds_headless import start

    term, m = await start(data_dir, "--max-pairs", "2", "--grace-seconds", "0")
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers = [Peer(url, cert, n) for n in ("a", "b", "c", "d")]
    try:
        for p in peers:
            await p.connect(m["token"])
        a, b, c, d = peers
        for peer, name in ((a, "Ann"), (b, "Bob"), (c, "Cat"), (d, "Dan")):
            await peer.join(name)
        await a.wait_for("user_joined")
        await c.wait_for("user_joined")
        assert await term.say("help") == "Commands, one a line:"
        listed = [await term.line() for _ in range(7)]
        assert [line.split()[0] for line in listed] == [
            "help",
            "status",
            "end",
            "reset",
            "reports",
            "remove",
            "unremove",
        ]
        assert (await term.say("start")).startswith("Unknown command 'start'")
        assert await term.say("status") == "2 conversations, 0 in line, 4 connected."
        first, second, people = await term.line(), await term.line(), await term.line()
        assert first.startswith("1. Ann & Bob (active, 0 lines) session_")
        assert second.startswith("2. Cat & Dan (active")
        assert people.startswith("People (remove <name or id>): Ann (") and "Dan (" in people
        assert await term.say("end 1") == "Ended conversation 1."
        for peer in (a, b):
            assert (await peer.wait_for("session_ended"))["reason"] == "host_ended"
        assert (await term.say("end 1")).startswith("Conversation 1 is not going on")
        assert await term.say(f"end {second.split()[-1]}") == f"Ended conversation {second.split()[-1]}."
        await d.wait_for("session_ended")
        assert c.received["session_ended"][0]["reason"] == "host_ended"
        reply = await term.say("reset")
        new = re.search(r"New join URL: https://\S+\?t=(?P<token>[\w-]+)$", reply)
        assert reply.startswith("Reset:") and new is not None and new["token"] != m["token"]
        late = Peer(url, cert, "late")
        peers.append(late)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await late.connect(m["token"])  # the old link is refused
    finally:
        for p in peers:
            await p.close()
        term.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(term.proc.wait(), WAIT)


@pytest.mark.asyncio
async def test_standard_input_lists_reports_and_removes_someone(data_dir: Path) -> None:
    from tests.integration.test_rounds_headless import start

    term, m = await start(data_dir, "--max-pairs", "2", "--grace-seconds", "0")
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers = [Peer(url, cert, n) for n in ("a", "b", "c", "d")]
    try:
        for p in peers:
            await p.connect(m["token"])
        a, b, c, d = peers
        for peer, name in ((a, "Ann"), (b, "Bob"), (c, "Cat"), (d, "Dan")):
            await peer.join(name)
        await a.wait_for("user_joined")
        assert await term.say("reports") == "No reports."
        await a.emit("report", {"reason": "inappropriate", "note": "a note the terminal never shows"})
        await a.wait_for("report_received")
        printed = await term.line()  # as it comes, one line naming both and the reason code
        assert re.fullmatch(r"Report at \d\d:\d\d:\d\d: Ann reported Bob \(inappropriate\)\.", printed)
        assert await term.say("reports") == printed
        assert await term.say("remove cat") == "Removed Cat: refused until a reset or unremove."
        assert (await c.error())["error"] == "removed"
        assert (await d.wait_for("session_ended"))["reason"] == "peer_left"
        assert await term.say("remove Zed") == "Nobody called 'Zed' is here."
        assert await term.say("unremove Cat") == "Cat may join again."
    finally:
        for p in peers:
            await p.close()
        term.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(term.proc.wait(), 10)
