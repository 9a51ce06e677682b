"""Who meets whom in an evening of rounds: only people who want to meet each other, never a
reported pair, never someone the host removed."""

from __future__ import annotations

from typing import Any

import pytest

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Peer, until

pytestmark = pytest.mark.asyncio

WOMEN, MEN = ("Ann", "Cat", "Eve", "Gia"), ("Bob", "Dan", "Fred", "Hal")


@pytest.fixture
def host_settings() -> dict[str, Any]:
    return {"rounds": 4, "round_minutes": 30, "break_seconds": 600, "grace_seconds": 0}


async def enter(clients: Clients, name: str, **profile: Any) -> Peer:
    peer = await clients.new(name)
    device = f"device-of-{name.lower()}-0123456789abcdef"
    await peer.emit("join", {"room": "matchmaking", "profile": {"name": name, **profile}, "device": device})
    await peer.wait_for("evening_joined")
    return peer


def pairs_now(host: HostServer) -> set[frozenset[str]]:
    return {frozenset(p.name for p in s.profiles.values()) for s in host.rooms.sessions}


async def next_round(host: HostServer, number: int) -> set[frozenset[str]]:
    assert host.evening is not None
    line = await host.evening.command("start" if number == 1 else "next")
    if number > 1 and "break" in line:  # `next` ended the round: the second opens the next one
        line = await host.evening.command("next")
    assert f"round {number} of" in line, line
    await until(lambda: all(len(s.profiles) == 2 for s in host.rooms.sessions))
    return pairs_now(host)


async def test_three_women_and_three_men_meet_each_of_the_other_group_once(
    host: HostServer, clients: Clients
) -> None:
    for w, m in zip(WOMEN[:3], MEN[:3], strict=True):
        await enter(clients, w, gender="woman", meet=["men"])
        await enter(clients, m, gender="man", meet=["women"])
    met: list[frozenset[str]] = []
    for number in (1, 2, 3):
        pairs = await next_round(host, number)
        assert len(pairs) == 3
        for pair in pairs:
            assert len(pair & set(WOMEN)) == 1 and len(pair & set(MEN)) == 1, pair
        met += pairs
    assert len(met) == len(set(met)) == 9, "everyone met all three of the other group, nobody twice"


async def test_an_evening_of_eight_with_a_report_and_a_removal(host: HostServer, clients: Clients) -> None:
    peers = {}
    for w, m in zip(WOMEN, MEN, strict=True):
        peers[w] = await enter(clients, w, gender="woman", meet=["men"])
        peers[m] = await enter(clients, m, gender="man", meet=["women"])
    first = await next_round(host, 1)
    reported = next(iter(p for p in first if "Ann" in p))
    other = next(iter(reported - {"Ann"}))
    await peers["Ann"].emit("report", {"reason": "uncomfortable"})
    await peers["Ann"].wait_for("report_received")
    await peers[other].wait_for("session_ended")
    assert peers[other].received["session_ended"][-1]["reason"] == "peer_left"
    await host.guard.remove("Hal")
    assert (await peers["Hal"].error())["error"] == "removed"
    for number in (2, 3, 4):
        pairs = await next_round(host, number)
        for pair in pairs:
            assert pair != reported, "a reported pair never meets again"
            assert "Hal" not in pair, "a removed person is never seated"
            assert len(pair & set(WOMEN)) == 1, pair
