"""Pairing, signaling and the room limit, with real clients over TLS."""

from __future__ import annotations

import json

import pytest

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Serve, until

pytestmark = pytest.mark.asyncio


async def test_two_peers_pair_and_b_offers_to_a(host: HostServer, clients: Clients) -> None:
    a, b = await clients.new("a"), await clients.new("b")
    info_a = await a.join("Alice", hobbies=["hiking"])
    assert info_a["role"] == "A" and info_a["status"] == "waiting" and info_a["peer"] is None
    assert info_a["session_id"].startswith("session_")
    info_b = await b.join("Bob")
    assert info_b["role"] == "B" and info_b["status"] == "active"
    assert info_b["session_id"] == info_a["session_id"]
    assert info_b["peer"] == {
        "id": a.sid,
        "role": "A",
        "profile": {"name": "Alice", "hobbies": ["hiking"], "interests": []},
        "line": "hiking",
    }
    joined = await a.wait_for("user_joined")
    assert joined == {
        "id": b.sid,
        "role": "B",
        "profile": {"name": "Bob", "hobbies": [], "interests": []},
        "line": "",
    }

    await b.emit("offer", {"target": info_b["peer"]["id"], "offer": {"type": "offer", "sdp": "v=0 b"}})
    offer = await a.wait_for("offer")
    assert offer == {"offer": {"type": "offer", "sdp": "v=0 b"}, "sender": b.sid}
    await a.emit("answer", {"target": b.sid, "answer": {"type": "answer", "sdp": "v=0 a"}})
    assert (await b.wait_for("answer"))["answer"]["sdp"] == "v=0 a"
    cand = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
    await a.emit("ice_candidate", {"target": b.sid, "candidate": cand})
    assert (await b.wait_for("ice_candidate")) == {"candidate": cand, "sender": a.sid}


async def test_third_person_gets_session_full_and_hears_nothing(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    c = await clients.new("c")
    await c.emit("join", {"room": "matchmaking", "profile": {"name": "Carol"}})
    err = await c.error()
    assert err["error"] == "session_full"
    assert "full" in err["message"] and "2 users max" in err["message"]
    assert err["details"] == {"max_pairs": 1, "active_sessions": 1}
    # the call goes on, and Carol hears none of it
    await a.emit("transcript_update", {"text": "still here"})
    await b.wait_for("transcript_update")
    await a.emit("offer", {"target": c.sid, "offer": {"type": "offer", "sdp": "x"}})
    assert (await a.error())["error"] == "invalid_target"
    assert c.received["transcript_update"] == [] and c.received["offer"] == []
    assert c.received["session_info"] == []


async def test_signaling_is_confined_to_the_partner(serve: Serve) -> None:
    _, cl = await serve(max_pairs=2)
    a1, b1 = await cl.pair()
    a2, b2 = await cl.pair()
    assert (await a2.wait_for("user_joined"))["id"] == b2.sid
    # b1 may not signal a2, b2, itself, or a made-up id
    for target in (a2.sid, b2.sid, b1.sid, "nobody", None, 7):
        await b1.emit("offer", {"target": target, "offer": {"type": "offer", "sdp": "x"}})
    for n in range(1, 7):
        assert (await b1.error(n))["error"] == "invalid_target"
    # a peer that never joined cannot signal anyone
    loner = await cl.new("loner")
    await loner.emit("ice_candidate", {"target": a1.sid, "candidate": None})
    assert (await loner.error())["error"] == "invalid_target"
    await b1.emit("offer", {"target": a1.sid, "offer": {"type": "offer", "sdp": "ok"}})
    assert (await a1.wait_for("offer"))["offer"]["sdp"] == "ok"
    assert a2.received["offer"] == [] and b2.received["offer"] == []


async def test_transcript_speaker_comes_from_the_role_never_the_payload(
    host: HostServer, clients: Clients
) -> None:
    a, b = await clients.pair()
    await b.emit("transcript_update", {"text": "  hi   there ", "speaker": "A", "name": "Mallory"})
    for peer in (a, b):
        line = await peer.wait_for("transcript_update")
        assert line["speaker"] == "B" and line["name"] == "Bob" and line["text"] == "hi there"
        assert line["session_id"] and line["timestamp"].endswith("+00:00")
    await host.flush()  # session files are written off the loop, one per interval at most
    [path] = host.store.files()
    saved = json.loads(path.read_text())
    assert saved["transcript"][-1]["speaker"] == "B"


async def test_session_file_lifecycle(serve: Serve) -> None:
    host, clients = await serve(grace_seconds=0)  # a disconnect ends the session at once
    a = await clients.new("a")
    info = await a.join("Alice")
    path = host.store.path(info["session_id"])
    await until(path.exists)
    saved = json.loads(path.read_text())
    assert saved["status"] == "waiting" and saved["phase"] == "waiting"
    assert saved["agent"] == {"id": "janitor_01", "spiciness": 2}
    assert saved["participants"] == {"A": a.sid, "B": None}
    b = await clients.new("b")
    await b.join("Bob")
    await until(lambda: json.loads(path.read_text())["status"] == "active")
    saved = json.loads(path.read_text())
    assert saved["phase"] == "icebreaker" and saved["participant_profiles"]["B"]["name"] == "Bob"
    for key in (
        "session_id",
        "participants",
        "agent",
        "phase",
        "transcript",
        "summary",
        "status",
        "created_at",
        "last_activity",
        "ended_at",
        "participant_profiles",
    ):
        assert key in saved
    assert not list(path.parent.glob("*.tmp"))

    await a.close()  # a disconnect ends the session for both
    assert (await b.wait_for("user_left")) == {"id": a.sid, "role": "A"}
    ended = await b.wait_for("session_ended")
    assert ended["reason"] == "peer_disconnected" and ended["session_id"] == info["session_id"]
    await until(lambda: not path.exists())
    # the next join opens a fresh session
    c = await clients.new("c")
    fresh = await c.join("Carol")
    assert fresh["role"] == "A" and fresh["session_id"] != info["session_id"]


async def test_leave_ends_the_session_for_both(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    await a.emit("leave")
    for peer in (a, b):
        ended = await peer.wait_for("session_ended")
        assert ended["reason"] == "peer_left"
    await until(lambda: host.store.files() == [])
    # both can join again
    again = await b.join("Bob")
    assert again["role"] == "A"
