"""A peer whose socket drops takes its slot back with its resume secret, with real clients."""

from __future__ import annotations

import asyncio
import json

import pytest
import socketio

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio


async def refused(clients: Clients, resume: object) -> dict:
    """Connect with the right token and `resume`; the refusal's payload."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        await clients.new("late", resume=resume)
    return await clients.peers[-1].wait_for("connect_error")


async def test_reclaim_within_the_grace_keeps_role_session_and_transcript(
    host: HostServer, clients: Clients
) -> None:
    assert host.settings.grace_seconds == 30  # the default
    a, b = await clients.pair()
    info_a = a.received["session_info"][0]
    secret = info_a["resume"]
    assert isinstance(secret, str) and len(secret) >= 22  # >= 128 bits, URL-safe base64
    assert b.received["session_info"][0]["resume"] != secret
    await a.emit("transcript_update", {"text": "hello from Alice"})
    await b.wait_for("transcript_update")
    old_sid = a.sid

    await a.drop()
    assert await b.wait_for("peer_status") == {"role": "A", "state": "reconnecting"}
    path = host.store.path(info_a["session_id"])
    await host.flush()  # session files are written off the loop
    await until(lambda: "A" in json.loads(path.read_text())["reconnecting"])

    a2 = await clients.new("a2", resume=secret)
    info = await a2.wait_for("session_info")
    assert info["session_id"] == info_a["session_id"] and info["role"] == "A"
    assert info["resumed"] is True and info["status"] == "active" and info["phase"] == "icebreaker"
    assert [e["text"] for e in info["transcript"]] == ["hello from Alice"]
    assert info["transcript"][0]["speaker"] == "A"
    assert info["peer"] == {
        "id": b.sid,
        "role": "B",
        "profile": {"name": "Bob", "hobbies": [], "interests": []},
        "line": "",
    }
    assert isinstance(info["resume"], str) and info["resume"] != secret
    assert await b.wait_for("peer_status", 2) == {"role": "A", "state": "connected", "id": a2.sid}
    assert b.received["user_left"] == [] and b.received["session_ended"] == []
    await host.flush()  # session files are written off the loop
    await until(lambda: json.loads(path.read_text())["participants"]["A"] == a2.sid)
    assert json.loads(path.read_text())["reconnecting"] == {}

    # the reclaimer offers afresh; signaling goes to the new id, never the old one
    await a2.emit("offer", {"target": b.sid, "offer": {"type": "offer", "sdp": "v=0 again"}})
    assert await b.wait_for("offer") == {"offer": {"type": "offer", "sdp": "v=0 again"}, "sender": a2.sid}
    await b.emit("answer", {"target": a2.sid, "answer": {"type": "answer", "sdp": "v=0 ok"}})
    assert (await a2.wait_for("answer"))["sender"] == b.sid
    await b.emit("ice_candidate", {"target": old_sid, "candidate": None})
    assert (await b.error())["error"] == "invalid_target"
    # the conversation goes on for both
    await a2.emit("transcript_update", {"text": "back again"})
    for peer in (a2, b):
        line = await peer.wait_for("transcript_update", 2 if peer is b else 1)
        assert line["text"] == "back again" and line["speaker"] == "A" and line["name"] == "Alice"

    # a secret works once; the fresh one does not work while its socket is connected
    for stale in (secret, info["resume"]):
        refusal = await refused(clients, stale)
        assert refusal["data"] == {"error": "invalid_resume"} and "Join again" in refusal["message"]
    assert host.rooms.locate(a2.sid) is not None and len(host.rooms.sessions) == 1


async def test_after_the_grace_the_partner_hears_user_left_and_session_ended(serve: Serve) -> None:
    host, clients = await serve(grace_seconds=1)
    a, b = await clients.pair()
    secret = a.received["session_info"][0]["resume"]
    session_id = b.received["session_info"][0]["session_id"]
    await a.drop()
    assert await b.wait_for("peer_status") == {"role": "A", "state": "reconnecting"}
    assert await b.wait_for("user_left") == {"id": a.sid, "role": "A"}
    ended = await b.wait_for("session_ended")
    assert ended["reason"] == "peer_disconnected" and ended["session_id"] == session_id
    await until(lambda: host.store.files() == [])
    refusal = await refused(clients, secret)  # the secret died with the session
    assert refusal["data"] == {"error": "invalid_resume"}
    assert b.received["peer_status"] == [{"role": "A", "state": "reconnecting"}]


async def test_wrong_and_other_slots_secrets_are_refused(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    secret_a = a.received["session_info"][0]["resume"]
    secret_b = b.received["session_info"][0]["resume"]
    await a.drop()
    await b.wait_for("peer_status")
    for wrong in ("not-a-secret", secret_a[:-2], 12345, {"x": 1}, secret_b):
        refusal = await refused(clients, wrong)
        assert refusal["data"] == {"error": "invalid_resume"}, wrong
    assert host.clients == {b.sid}  # no refused socket got in
    assert b.received["peer_status"] == [{"role": "A", "state": "reconnecting"}]
    # the held slot is still there for its owner
    a2 = await clients.new("a2", resume=secret_a)
    assert (await a2.wait_for("session_info"))["role"] == "A"
    # an empty resume is a fresh connection, as without one
    fresh = await clients.new("fresh", resume="")
    assert fresh.sid in host.clients


async def test_joining_a_waiting_session_whose_owner_is_away(host: HostServer, clients: Clients) -> None:
    a = await clients.new("a")
    info_a = await a.join("Alice")
    await a.drop()
    await until(lambda: host.rooms.sessions[0].reconnecting != {})
    b = await clients.new("b")
    info_b = await b.join("Bob")
    assert info_b["session_id"] == info_a["session_id"] and info_b["role"] == "B"
    assert await b.wait_for("peer_status") == {"role": "A", "state": "reconnecting"}
    a2 = await clients.new("a2", resume=info_a["resume"])
    info = await a2.wait_for("session_info")
    assert info["status"] == "active" and info["resumed"] is True
    assert info["peer"]["id"] == b.sid and info["peer"]["profile"]["name"] == "Bob"
    assert await b.wait_for("peer_status", 2) == {"role": "A", "state": "connected", "id": a2.sid}


async def test_both_away_the_first_back_hears_the_other_is_reconnecting(
    host: HostServer, clients: Clients
) -> None:
    a, b = await clients.pair()
    secret_b = b.received["session_info"][0]["resume"]
    await a.drop()
    await b.wait_for("peer_status")
    await b.drop()
    await until(lambda: len(host.rooms.sessions[0].reconnecting) == 2)
    b2 = await clients.new("b2", resume=secret_b)
    assert (await b2.wait_for("session_info"))["resumed"] is True
    assert await b2.wait_for("peer_status") == {"role": "A", "state": "reconnecting"}


async def test_leave_while_the_partner_is_away_ends_the_session(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    secret = a.received["session_info"][0]["resume"]
    await a.drop()
    await b.wait_for("peer_status")
    await b.emit("leave")
    assert (await b.wait_for("session_ended"))["reason"] == "peer_left"
    await until(lambda: host.store.files() == [])
    assert (await refused(clients, secret))["data"] == {"error": "invalid_resume"}


async def test_no_grace_means_no_secret_and_a_disconnect_ends_at_once(serve: Serve) -> None:
    host, clients = await serve(grace_seconds=0)
    a, b = await clients.pair()
    assert "resume" not in a.received["session_info"][0]
    await a.drop()
    assert await b.wait_for("user_left") == {"id": a.sid, "role": "A"}
    assert (await b.wait_for("session_ended"))["reason"] == "peer_disconnected"
    assert b.received["peer_status"] == []
    peer = Peer(clients.url, clients.ssl())
    clients.peers.append(peer)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await peer.connect(host.token, resume="anything")
    assert (await peer.wait_for("connect_error"))["data"] == {"error": "invalid_resume"}


async def test_a_resume_that_beats_the_old_sockets_close_waits_for_it(
    host: HostServer, clients: Clients
) -> None:
    """The page may come back before the host has seen its old socket close (a reload, or a
    client that noticed the dead network first): the reclaim waits a moment for the close."""
    a, b = await clients.pair()
    secret = a.received["session_info"][0]["resume"]
    early = asyncio.create_task(clients.new("a2", resume=secret))
    await until(lambda: host.sio.manager.pending_connect.get("/"))  # the new socket is waiting
    assert not early.done()
    await a.drop()
    a2 = await early
    info = await a2.wait_for("session_info")
    assert info["resumed"] is True and info["role"] == "A"
    assert await b.wait_for("peer_status", 2) == {"role": "A", "state": "connected", "id": a2.sid}
