"""Forged events and bad packets: only the protocol's client events reach a handler, on the fast
path (websocket) and on polling alike; deep or huge packets are refused unread, with one log
line per kind and no traceback; a second connect on one connection changes nothing."""

from __future__ import annotations

import json
import logging

import pytest

from heartlink_desktop.server import wire
from heartlink_desktop.server.host import HostServer
from tests.support import WAIT, Clients, Peer, until

pytestmark = pytest.mark.asyncio

FORGED = ["disconnect", "connect", "connect_error", "message", "trigger_event", "client_event", "__init__"]


async def polling_peer(clients: Clients, name: str) -> Peer:
    """A client that never upgrades to the websocket: python-socketio's own read path."""
    peer = Peer(clients.url, clients.ssl(), name)
    clients.peers.append(peer)
    await peer.sio.connect(
        clients.url, auth={"token": clients.host.token}, wait_timeout=WAIT, transports=["polling"]
    )
    return peer


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_forged_connection_events_leave_the_sender_and_its_partner_alone(
    host: HostServer, clients: Clients, transport: str
) -> None:
    if transport == "polling":
        a, b = await polling_peer(clients, "a"), await polling_peer(clients, "b")
        await a.join("Alice")
        await b.join("Bob")
        await a.wait_for("user_joined")
    else:
        a, b = await clients.pair()
    for n, name in enumerate(FORGED, start=1):
        await a.emit(name, {"token": host.token})
        err = await a.error(n)
        assert err["error"] == "unknown_event", (name, err)
    await a.emit("transcript_update", {"text": "still here"})
    line = await b.wait_for("transcript_update")
    assert line["text"] == "still here"
    assert b.received["peer_status"] == [] and b.received["session_ended"] == []
    assert a.received["session_ended"] == [] and len(host.clients) == 2
    await host.flush()
    [session] = host.rooms.sessions
    assert session.reconnecting == {} and session.status == "active"
    await host.stop()  # first: it ends the long polls, which a polling client's close waits for


async def test_a_second_connect_on_one_connection_changes_nothing(host: HostServer, clients: Clients) -> None:
    a = await clients.new("a")
    await a.sio.eio.send("0" + json.dumps({"token": host.token}))  # a raw Socket.IO CONNECT again
    await a.emit("frobnicate")  # a barrier: its error comes after the connect was read
    assert (await a.error())["error"] == "unknown_event"
    assert host.clients == {a.sid}
    assert (await a.join("Alice"))["role"] == "A"


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_deep_and_huge_packets_are_refused_unread_with_one_log_line_per_kind(
    host: HostServer, clients: Clients, caplog: pytest.LogCaptureFixture, transport: str
) -> None:
    peer = await (polling_peer(clients, "p") if transport == "polling" else clients.new("p"))
    caplog.set_level(logging.WARNING)
    deep = '2["transcript_update",' + "[" * 2000 + "]" * 2000 + "]"
    for n in range(1, 6):
        await peer.sio.eio.send(deep)
        err = await peer.error(n)
        assert err["error"] == "invalid_payload" and "deeper" in err["message"]
    huge = '2["transcript_update",{"text":"' + "x" * (wire.MAX_PACKET_CHARS + 10) + '"}]'
    await peer.sio.eio.send(huge)
    assert (await peer.error(6))["error"] == "payload_too_large"
    await until(lambda: any("payload_too_large" in r.getMessage() for r in caplog.records))
    mine = [r for r in caplog.records if r.name.startswith("heartlink_desktop")]
    assert [r for r in caplog.records if r.exc_info] == []
    assert len([r for r in mine if "invalid_payload" in r.getMessage()]) == 1  # five, one line
    assert (await peer.join("Fine"))["role"] == "A"  # the same connection still works
    await host.stop()  # first: it ends the long polls, which a polling client's close waits for
