"""The line of newcomers when every slot is taken: first come, first served, real clients."""

from __future__ import annotations

import pytest

from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio


async def test_five_clients_two_pairs_the_fifth_is_queued_then_paired(serve: Serve) -> None:
    host, clients = await serve(max_pairs=2)  # the queue is on by default
    assert host.settings.queue_enabled
    a1, b1 = await clients.pair()
    a2, b2 = await clients.pair()
    fifth = await clients.new("fifth")
    await fifth.emit("join", {"room": "matchmaking", "profile": {"name": "Eve"}})
    assert await fifth.wait_for("queued") == {"position": 1, "ahead": 0}
    assert fifth.received["session_info"] == [] and fifth.received["session_error"] == []
    assert [w.sid for w in host.rooms.line] == [fifth.sid]

    await a1.emit("leave")  # the first pair ends: the slot goes to the first in line
    assert (await b1.wait_for("session_ended"))["reason"] == "peer_left"
    info = await fifth.wait_for("session_info")
    assert info["role"] == "A" and info["status"] == "waiting" and info["resume"]
    assert host.rooms.line == []
    # the next newcomer is paired with the fifth at once
    sixth = await clients.new("sixth")
    joined = await sixth.join("Finn")
    assert joined["session_id"] == info["session_id"] and joined["peer"]["id"] == fifth.sid
    assert (await fifth.wait_for("user_joined"))["id"] == sixth.sid
    await host.flush()  # session files are written off the loop, one per interval at most
    assert len(host.rooms.sessions) == 2 and len(host.store.files()) == 2
    assert a2.received["session_ended"] == [] and b2.received["session_ended"] == []


async def queue_up(clients: Clients, name: str, position: int) -> Peer:
    peer = await clients.new(name)
    await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}})
    assert await peer.wait_for("queued") == {"position": position, "ahead": position - 1}
    return peer


async def test_line_order_under_joins_leaves_and_disconnects(serve: Serve) -> None:
    host, clients = await serve(queue=True)  # max_pairs 1, queue turned on
    a, b = await clients.pair()
    c = await queue_up(clients, "Cat", 1)
    d = await queue_up(clients, "Dan", 2)
    e = await queue_up(clients, "Eva", 3)
    f = await queue_up(clients, "Fay", 4)
    await d.emit("join", {"room": "matchmaking", "profile": {"name": "Dan"}})
    assert (await d.error())["error"] == "already_queued"

    await d.emit("leave")  # leaving the line is clean, and those behind move up
    assert await d.wait_for("queued", 2) == {"position": 0, "ahead": 0, "left": True}
    assert await e.wait_for("queued", 2) == {"position": 2, "ahead": 1}
    assert await f.wait_for("queued", 2) == {"position": 3, "ahead": 2}
    assert len(c.received["queued"]) == 1  # Cat did not move
    await c.close()  # a disconnect takes Cat out of the line too
    assert await e.wait_for("queued", 3) == {"position": 1, "ahead": 0}
    assert await f.wait_for("queued", 3) == {"position": 2, "ahead": 1}
    assert [w.profile.name for w in host.rooms.line] == ["Eva", "Fay"]

    await b.emit("leave")  # the slot frees: the two first in line make the next pair
    assert (await a.wait_for("session_ended"))["reason"] == "peer_left"
    info_e = await e.wait_for("session_info")
    info_f = await f.wait_for("session_info")
    assert info_e["role"] == "A" and info_f["role"] == "B"
    assert info_f["session_id"] == info_e["session_id"] and info_f["peer"]["id"] == e.sid
    assert host.rooms.line == []
    # a newcomer now waits behind nobody: it is first in line
    g = await queue_up(clients, "Gus", 1)
    assert d.received["session_info"] == [] and len(d.received["queued"]) == 2
    await until(lambda: [w.sid for w in host.rooms.line] == [g.sid])


async def test_without_the_queue_a_newcomer_gets_session_full(serve: Serve) -> None:
    host, clients = await serve(max_pairs=2, queue=False)
    await clients.pair()
    await clients.pair()
    late = await clients.new("late")
    await late.emit("join", {"room": "matchmaking", "profile": {"name": "Late"}})
    err = await late.error()
    assert err["error"] == "session_full" and "4 users max" in err["message"]
    assert late.received["queued"] == [] and host.rooms.line == []
    await late.emit("leave")
    assert (await late.error(2))["error"] == "not_in_session"


async def test_host_reset_empties_the_line(serve: Serve) -> None:
    host, clients = await serve(queue=True)
    await clients.pair()
    c = await queue_up(clients, "Cat", 1)
    await host.reset()
    assert host.rooms.line == [] and host.rooms.sessions == []
    assert c.received["session_info"] == []  # nobody is seated on the way out
    await until(lambda: not c.sio.connected)
