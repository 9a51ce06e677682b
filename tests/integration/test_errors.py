"""Bad input gets a session_error with a stable code; nothing half-valid is stored."""

from __future__ import annotations

import json

import pytest
import socketio

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Peer

pytestmark = pytest.mark.asyncio


async def test_wrong_or_missing_token_is_refused(host: HostServer, clients: Clients) -> None:
    for token in ("wrong", ""):
        with pytest.raises(socketio.exceptions.ConnectionError):
            await clients.new("intruder", token=token)
        refusal = await clients.peers[-1].wait_for("connect_error")
        assert refusal["data"] == {"error": "invalid_token"}
        assert "not valid" in refusal["message"]
    peer = Peer(clients.url, clients.ssl())
    clients.peers.append(peer)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await peer.sio.connect(clients.url, wait_timeout=5)  # no auth at all
    assert host.clients == set()
    ok = await clients.new("ok")  # the server keeps serving
    assert (await ok.join("Alice"))["role"] == "A"


MALFORMED = [
    ("join", None, "invalid_payload"),
    ("join", "Alice", "invalid_payload"),
    ("join", {"room": "elsewhere", "profile": {"name": "A"}}, "invalid_room"),
    ("join", {"room": "matchmaking"}, "invalid_profile"),
    ("join", {"room": "matchmaking", "profile": {"name": ""}}, "invalid_profile"),
    ("join", {"room": "matchmaking", "profile": {"name": "A", "age": 7}}, "invalid_profile"),
    ("join", {"room": "matchmaking", "profile": {"name": "A", "spice_level": "hot"}}, "invalid_profile"),
    ("offer", {"target": "x"}, "invalid_payload"),
    ("offer", {"target": "x", "offer": {"type": "answer", "sdp": "v=0"}}, "invalid_payload"),
    ("answer", [1, 2], "invalid_payload"),
    ("ice_candidate", {"target": "x", "candidate": "cand"}, "invalid_payload"),
    ("transcript_update", {"text": "hi"}, "not_in_session"),
    ("transcript_update", "hi", "invalid_payload"),
    ("audio_activity", {"speaking": True}, "not_in_session"),
    ("leave", None, "not_in_session"),
    ("make_me_admin", {"please": True}, "unknown_event"),
    ("join", {"room": "matchmaking", "profile": {"name": "A", "goal": "x" * 70_000}}, "payload_too_large"),
]


async def test_malformed_events_get_stable_codes(host: HostServer, clients: Clients) -> None:
    peer = await clients.new("fuzzy")
    for n, (event, payload, code) in enumerate(MALFORMED, start=1):
        await peer.emit(event, payload)
        err = await peer.error(n)
        assert err["error"] == code, (event, payload, err)
        assert isinstance(err["message"], str) and len(err["message"]) > 10
    assert host.rooms.sessions == [] and host.store.files() == []
    assert (await peer.join("Still Fine"))["role"] == "A"  # the same socket still works


async def test_errors_inside_a_session_store_nothing(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "first"})
    await b.wait_for("transcript_update")
    bad = [
        ({"text": ""}, "invalid_payload"),
        ({"text": None}, "invalid_payload"),
        ({"text": "y" * 2001}, "line_too_long"),
        ({"text": "z" * 70_000}, "payload_too_large"),
    ]
    for n, (payload, code) in enumerate(bad, start=1):
        await a.emit("transcript_update", payload)
        assert (await a.error(n))["error"] == code
    await a.emit("audio_activity", {"speaking": "loud"})
    assert (await a.error(len(bad) + 1))["error"] == "invalid_payload"
    await a.emit("join", {"room": "matchmaking", "profile": {"name": "Again"}})
    assert (await a.error(len(bad) + 2))["error"] == "already_joined"
    await a.emit("transcript_update", {"text": "second"})
    await b.wait_for("transcript_update", 2)
    await host.flush()  # session files are written off the loop, one per interval at most
    [path] = host.store.files()
    assert [t["text"] for t in json.loads(path.read_text())["transcript"]] == ["first", "second"]
    assert not list(path.parent.glob("*.tmp"))
