"""An evening of rounds with real clients: lobby, new partners each round, private answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio

NAMES = ("Ann", "Bob", "Cat", "Dan")


@pytest.fixture
def host_settings() -> dict[str, Any]:
    """The `host` of this module's tests runs an evening."""
    return {"rounds": 3, "round_minutes": 30, "break_seconds": 600}


async def enter(clients: Clients, names: tuple[str, ...] = NAMES) -> dict[str, Peer]:
    peers = {}
    for name in names:
        peer = await clients.new(name)
        await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}})
        joined = await peer.wait_for("evening_joined")
        assert joined["state"] == "lobby" and joined["you"] == "lobby" and joined["person"]
        peers[name] = peer
    return peers


def partner_name(peer: Peer, round_no: int) -> str:
    """Who this peer talks with in round `round_no` (1-based), from what the host sent it."""
    info = peer.received["session_info"][round_no - 1]
    if info["peer"] is not None:
        return info["peer"]["profile"]["name"]
    return peer.received["user_joined"][
        sum(1 for i in peer.received["session_info"][:round_no] if i["peer"] is None) - 1
    ]["profile"]["name"]


async def paired(peers: dict[str, Peer], round_no: int) -> dict[str, str]:
    for peer in peers.values():
        info = await peer.wait_for("session_info", round_no)
        if info["peer"] is None:
            await peer.wait_for(
                "user_joined", sum(1 for i in peer.received["session_info"] if i["peer"] is None)
            )
    return {name: partner_name(peer, round_no) for name, peer in peers.items()}


async def test_next_before_start_says_so_and_the_lobby_waits(host: HostServer, clients: Clients) -> None:
    assert host.evening is not None
    answer = await host.evening.command("next")
    assert answer == "The evening has not started yet: start it first."
    peers = await enter(clients, NAMES[:2])
    assert all(p.received["session_info"] == [] for p in peers.values())
    assert "in the lobby" in await host.evening.command("status")


async def test_three_rounds_new_partners_and_only_mutual_yeses_see_contacts(
    host: HostServer, clients: Clients
) -> None:
    service = host.evening
    assert service is not None
    peers = await enter(clients)
    met: set[frozenset[str]] = set()
    yes_to = {("Ann", "Bob"), ("Bob", "Ann"), ("Cat", "Dan"), ("Ann", "Cat"), ("Cat", "Ann"), ("Dan", "Bob")}
    for round_no in (1, 2, 3):
        answer = await service.command("start" if round_no == 1 else "next")
        assert f"round {round_no} of 3" in answer
        partners = await paired(peers, round_no)
        for name, other in partners.items():
            assert partners[other] == name
            await until(
                lambda p=peers[name], r=round_no: any(
                    s["state"] == "round" and s["round"] == r and s["you"] == "talking"
                    for s in p.received["evening_status"]
                )
            )
        pairs = {frozenset((n, o)) for n, o in partners.items()}
        assert not pairs & met, "nobody meets the same person twice"
        met |= pairs
        assert "break after round" in await service.command("next") or round_no == 3
        for name, peer in peers.items():
            ended = await peer.wait_for("session_ended", round_no)
            assert ended["reason"] == "round_over"
            asked = await peer.wait_for("again_asked", round_no)
            assert asked["name"] == partners[name] and asked["session_id"] == ended["session_id"]
            yes = (name, partners[name]) in yes_to
            await peer.emit(
                "again_answer",
                {"session_id": asked["session_id"], "yes": yes, "contact": f"{name.lower()}@contact"},
            )
            await peer.wait_for("again_received", round_no)
    assert len(met) == 6, "four people, three rounds: everyone met everyone"
    await until(lambda: host.again.counts()["answered"] == 12)
    assert host.again.counts()["mutual"] == 2  # Ann-Bob and Ann-Cat; Cat-Dan and Dan-Bob are one-sided
    assert "over" in await service.command("next") or service.evening.state == "ended"
    for name, peer in peers.items():
        # the evening's list, and the last round's matches as they come (its answers follow the end)
        final = await peer.wait_for("evening_ended")
        got = {(m["name"], m["contact"]) for m in final["matches"] + peer.received["again_match"]}
        want = {(o, f"{o.lower()}@contact") for (n, o) in yes_to if n == name and (o, n) in yes_to}
        assert got == want, name
    assert (
        peers["Dan"].received["again_match"] == []
        and peers["Dan"].received["evening_ended"][0]["matches"] == []
    )
    assert not service.file.exists(), "the evening's file goes when the evening ends"


async def test_answers_refused_for_a_stranger_twice_or_malformed(host: HostServer, clients: Clients) -> None:
    service = host.evening
    assert service is not None
    peers = await enter(clients)
    await service.command("start")
    await paired(peers, 1)
    await service.command("next")
    ann, bob = peers["Ann"], peers["Bob"]
    asked = await ann.wait_for("again_asked")
    stranger = next(p for n, p in peers.items() if n != "Ann" and partner_name(p, 1) != "Ann")
    await stranger.wait_for("again_asked")
    await stranger.emit("again_answer", {"session_id": asked["session_id"], "yes": True})
    assert (await stranger.error())["error"] == "not_your_conversation"
    await ann.emit("again_answer", {"session_id": asked["session_id"], "yes": False})
    await ann.wait_for("again_received")
    await ann.emit("again_answer", {"session_id": asked["session_id"], "yes": True})
    assert (await ann.error())["error"] == "already_answered"
    errors = len(bob.received["session_error"])
    await bob.emit("again_answer", "yes please")
    assert (await bob.error(errors + 1))["error"] == "invalid_payload"
    data = json.loads(service.file.read_text())
    assert "contact" not in json.dumps(data["answers"])


async def test_a_reclaim_mid_round_keeps_the_place_and_the_question_follows(
    host: HostServer, clients: Clients
) -> None:
    service = host.evening
    assert service is not None
    peers = await enter(clients)
    await service.command("start")
    partners = await paired(peers, 1)
    ann = peers["Ann"]
    secret = ann.received["session_info"][0]["resume"]
    await ann.drop()
    back = await clients.new("Ann again", resume=secret)
    info = await back.wait_for("session_info")
    assert info["resumed"] is True
    await service.command("next")
    asked = await back.wait_for("again_asked")
    assert asked["name"] == partners["Ann"]
    await back.emit("again_answer", {"session_id": asked["session_id"], "yes": True, "contact": "ann@x"})
    await back.wait_for("again_received")
    await service.command("next")  # round 2: Ann, on her new socket, is in it
    info2 = await back.wait_for("session_info", 2)
    assert "resumed" not in info2 and info2["session_id"] != info["session_id"]


async def test_a_reset_wipes_the_evening(host: HostServer, clients: Clients) -> None:
    service = host.evening
    assert service is not None
    peers = await enter(clients, NAMES[:2])
    await service.command("start")
    await paired(peers, 1)
    assert service.file.exists()
    await host.reset()
    assert not service.file.exists()
    assert service.evening.state == "lobby" and service.evening.people == {}
    assert host.again.counts() == {"asked": 0, "answered": 0, "mutual": 0}


async def test_a_timed_round_moves_its_phases_wraps_up_and_ends_by_itself(serve: Serve) -> None:
    """A 3-second round: deep dive at 35 %, the wrap-up line and decision near the end, then the
    round ends on time for both and, with no break, the next round opens by itself."""
    host, clients = await serve(rounds=2, round_minutes=0.05, break_seconds=0)
    peers = await enter(clients, NAMES[:2])
    assert host.evening is not None
    await host.evening.command("start")
    ann = peers["Ann"]
    await ann.wait_for("session_info")
    phases = [(await ann.wait_for("phase_changed", n))["phase"] for n in (1, 2, 3)]
    assert phases == ["icebreaker", "deep_dive", "decision"]
    wrap = await ann.wait_for("ai_interjection")
    assert wrap["source"] == "round" and "seconds left in this round" in wrap["text"]
    assert (await ann.wait_for("session_ended"))["reason"] == "round_over"
    await ann.wait_for("again_asked")
    second = await ann.wait_for("session_info", 2)  # round 2, by the timer alone
    assert second["session_id"] != ann.received["session_info"][0]["session_id"]
    await ann.wait_for("evening_ended")


async def test_ending_a_call_mid_round_keeps_both_in_the_evening(host: HostServer, clients: Clients) -> None:
    service = host.evening
    assert service is not None
    peers = await enter(clients)
    await service.command("start")
    partners = await paired(peers, 1)
    ann, partner = peers["Ann"], peers[partners["Ann"]]
    await ann.emit("leave")  # Ann taps "End call": that conversation ends, not her evening
    for peer in (ann, partner):
        assert (await peer.wait_for("session_ended"))["reason"] == "peer_left"
        await peer.wait_for("again_asked")
    await service.command("next")  # the round ends for the others
    assert "round 2 of 3" in await service.command("next")
    second = await paired(peers, 2)
    assert second["Ann"] not in ("Ann", partners["Ann"])


async def test_a_round_closing_tells_each_person_once_and_ends_its_conversations_side_by_side(
    host: HostServer, clients: Clients
) -> None:
    """One evening_status per change per person: those who were talking hear the break once,
    like everyone else; and the round's conversations wait for their summaries together."""
    assert host.evening is not None
    peers = await enter(clients)
    await host.evening.command("start")
    await paired(peers, 1)
    await host.flush()
    before = {name: len(p.received["evening_status"]) for name, p in peers.items()}
    writing: list[str] = []
    both_writing = asyncio.Event()

    async def slow_summary(snapshot: dict[str, Any]) -> str:
        writing.append(snapshot["session_id"])
        if len(writing) == 2:
            both_writing.set()
        await asyncio.wait_for(both_writing.wait(), 10)  # one after the other would never get here
        return "summary"

    host.facilitator.summarize = slow_summary  # type: ignore[method-assign]
    assert "break" in await host.evening.command("next")
    for name, peer in peers.items():
        assert (await peer.wait_for("session_ended"))["summary"] == "summary"
        await peer.wait_for("evening_status", before[name] + 1)
        # a round trip: whatever the host sent this page before its answer has arrived by then
        await peer.emit("transcript_update", {"text": "still there?"})
        assert (await peer.wait_for("session_error"))["error"] == "not_in_session"
    after = {name: len(p.received["evening_status"]) for name, p in peers.items()}
    assert {name: after[name] - before[name] for name in peers} == dict.fromkeys(peers, 1)
    assert all(p.received["evening_status"][-1]["state"] == "break" for p in peers.values())


async def test_a_page_back_on_a_new_socket_before_the_old_one_is_seen_to_go_stays_itself(
    host: HostServer, clients: Clients
) -> None:
    """A page that lost its network rejoins with its secret while the host still holds its
    old socket: it is the same person (its history and matches), not a new one."""
    assert host.evening is not None
    peers = await enter(clients, NAMES[:2])
    secret = peers["Ann"].received["evening_joined"][0]["person"]
    again = await clients.new("Ann again")
    await again.emit("join", {"room": "matchmaking", "profile": {"name": "Ann"}, "person": secret})
    joined = await again.wait_for("evening_joined")
    assert joined["person"] == secret, "the same person, not a new one"
    assert len(host.evening.evening.people) == 2
