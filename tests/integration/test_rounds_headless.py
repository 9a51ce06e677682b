"""An evening run from a terminal: the headless host takes start/next/end/status on standard input."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import ssl
from pathlib import Path

import pytest

from tests.support import WAIT, Peer, headless_argv

pytestmark = pytest.mark.asyncio
URL_LINE = re.compile(r"Join URL: https://(?P<ip>[\d.]+):(?P<port>\d+)/\?t=(?P<token>[\w-]+)")
NAMES = ("Ann", "Bob", "Cat", "Dan")


class Terminal:
    """The headless host as a process, spoken to line by line as a person at a terminal would."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def line(self) -> str:
        assert self.proc.stdout is not None
        text = (await asyncio.wait_for(self.proc.stdout.readline(), WAIT)).decode()
        assert text, "the host exited"
        return text.strip()

    async def say(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{command}\n".encode())
        await self.proc.stdin.drain()
        return await self.line()


async def start(data_dir: Path, *args: str) -> tuple[Terminal, re.Match[str]]:
    proc = await asyncio.create_subprocess_exec(
        *headless_argv(data_dir, *args),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    term = Terminal(proc)
    while not (m := URL_LINE.search(await term.line())):
        pass
    while "Commands, one a line" not in await term.line():
        pass
    return term, m


async def enter(url: str, cert: ssl.SSLContext, token: str) -> dict[str, Peer]:
    peers = {}
    for name in NAMES:
        peer = Peer(url, cert, name)
        await peer.connect(token)
        await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}})
        await peer.wait_for("evening_joined")
        peers[name] = peer
    return peers


def counts(peers: dict[str, Peer]) -> dict[str, int]:
    return {name: len(peer.received["session_info"]) for name, peer in peers.items()}


async def partners_in(peers: dict[str, Peer], before: dict[str, int]) -> dict[str, str]:
    """Each person's partner in the round that just opened, from the session_info and
    user_joined they got since `before` (counts of session_info)."""
    out: dict[str, str] = {}
    for name, peer in peers.items():
        info = await peer.wait_for("session_info", before[name] + 1)
        if info["peer"] is not None:
            out[name] = info["peer"]["profile"]["name"]
        else:
            waits = sum(1 for i in peer.received["session_info"] if i["peer"] is None)
            out[name] = (await peer.wait_for("user_joined", waits))["profile"]["name"]
    return out


async def test_three_rounds_from_standard_input_with_a_reclaim_and_private_matches(data_dir: Path) -> None:
    term, m = await start(data_dir, "--rounds", "3", "--round-minutes", "30", "--break-seconds", "600")
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers: dict[str, Peer] = {}
    try:
        assert await term.say("next") == "The evening has not started yet: start it first."
        peers = await enter(url, cert, m["token"])
        assert (await term.say("status")).startswith("Evening in the lobby: 4 people")
        assert (await term.line()).startswith("People (remove <name or id>): Ann (")
        met: set[frozenset[str]] = set()
        mutual = {frozenset(("Ann", "Bob")), frozenset(("Cat", "Dan"))}
        for round_no in (1, 2, 3):
            before = counts(peers)
            assert f"round {round_no} of 3" in await term.say("start" if round_no == 1 else "next")
            partners = await partners_in(peers, before)
            pairs = {frozenset((a, b)) for a, b in partners.items()}
            assert len(pairs) == 2 and not pairs & met
            met |= pairs
            if round_no == 2:  # Ann's phone drops mid-round and comes back with its secret
                ann = peers["Ann"]
                secret = ann.received["session_info"][-1]["resume"]
                await ann.drop()
                back = Peer(url, cert, "Ann again")
                await back.connect(m["token"], resume=secret)
                assert (await back.wait_for("session_info"))["resumed"] is True
                await ann.close()
                peers["Ann"] = back
            reply = await term.say("next")
            assert "break after round" in reply or "over" in reply
            for name, peer in peers.items():
                asked = await peer.wait_for("again_asked", len(peer.received["again_asked"]) or 1)
                pair = frozenset((name, partners[name]))
                await peer.emit(
                    "again_answer",
                    {
                        "session_id": asked["session_id"],
                        "yes": pair in mutual,
                        "contact": f"{name.lower()}@contact",
                    },
                )
                await peer.wait_for("again_received", len(peer.received["again_received"]) + 1)
            if round_no == 1:  # the evening's file is whole JSON at any moment: even after kill -9
                data = json.loads((data_dir / "evening.json").read_text())
                assert "contact" not in json.dumps(data)
        assert len(met) == 6
        for name, peer in peers.items():
            await peer.wait_for("evening_ended")
            want = {p for p in mutual if name in p}
            got = peer.received["evening_ended"][0]["matches"] + peer.received["again_match"]
            names = {m["name"] for m in got}
            assert names == {next(iter(p - {name})) for p in want}, name
            assert all(m["contact"] == f"{m['name'].lower()}@contact" for m in got)
        assert not (data_dir / "evening.json").exists()
        assert (await term.say("status")).startswith("Evening over")
    finally:
        for peer in peers.values():
            await peer.close()
        if term.proc.returncode is None:
            term.proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(term.proc.wait(), WAIT)


async def come_back(url: str, cert: ssl.SSLContext, token: str, name: str, secret: str) -> Peer:
    """A page after the host's crash: the same link (no new QR code), its `person` secret."""
    peer = Peer(url, cert, f"{name} again")
    await peer.connect(token)
    await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}, "person": secret})
    await peer.wait_for("evening_joined")
    return peer


async def test_an_evening_killed_mid_round_keeps_its_link_and_matches_and_goes_on(data_dir: Path) -> None:
    args = ("--rounds", "3", "--round-minutes", "30", "--break-seconds", "600")
    term, m = await start(data_dir, *args)
    cert = ssl.create_default_context(cafile=str(data_dir / "certs" / "ca.crt"))
    url = f"https://127.0.0.1:{m['port']}"
    peers = await enter(url, cert, m["token"])
    secrets = {name: peer.received["evening_joined"][0]["person"] for name, peer in peers.items()}
    met: set[frozenset[str]] = set()
    try:
        before = counts(peers)
        await term.say("start")
        first = await partners_in(peers, before)
        await term.say("next")
        for peer in peers.values():  # round 1: everyone says yes, with a contact
            asked = await peer.wait_for("again_asked")
            await peer.emit("again_answer", {"session_id": asked["session_id"], "yes": True, "contact": "c"})
            await peer.wait_for("again_received")
        before = counts(peers)
        assert "round 2 of 3" in await term.say("next")
        second = await partners_in(peers, before)  # round 2 under way: the host dies
        met = {frozenset(p) for p in (*first.items(), *second.items())}
        term.proc.kill()  # SIGKILL: no clean-up at all
        await term.proc.wait()
    finally:
        for peer in peers.values():
            await peer.close()
    data = json.loads((data_dir / "evening.json").read_text())
    assert data["evening"]["number"] == 2 and len(data["evening"]["history"]["met"]) == 4
    assert not [p for p in os.listdir(data_dir) if p.endswith(".tmp")]

    term, again = await start(data_dir, *args)  # the same data folder, a new process
    back: list[Peer] = []
    try:
        assert again["token"] == m["token"]  # the phones' link still works
        url = f"https://127.0.0.1:{again['port']}"
        status = await term.say("status")
        assert "paused after round 2 of 3, waiting for people to return" in status
        assert "2 mutual matches kept" in status
        assert "it goes on when two are" in await term.say("resume")  # nobody back: it waits
        # two who have not met yet come back with their secrets: round 3 opens by itself
        a, b = next(pair for pair in itertools.combinations(NAMES, 2) if frozenset(pair) not in met)
        for name in (a, b):
            back.append(await come_back(url, cert, again["token"], name, secrets[name]))
        news = await term.line()
        assert news.startswith("Two people are back: the evening goes on.") and "round 3 of 3" in news
        for peer, name, other in ((back[0], a, b), (back[1], b, a)):  # seated together
            info = await peer.wait_for("session_info")
            partner = info["peer"] or await peer.wait_for("user_joined")
            assert partner["profile"]["name"] == other, name
        # the evening ends: each of the two gets the matches made before the crash
        assert (await term.say("end")).startswith("Evening over")
        for peer, name in zip(back, (a, b), strict=True):
            ended = await peer.wait_for("evening_ended")
            assert {x["name"] for x in ended["matches"]} == {first[name]}
    finally:
        for peer in back:
            await peer.close()
        term.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(term.proc.wait(), WAIT)
