"""The private "again?" after an ordinary conversation (no evening), with real clients."""

from __future__ import annotations

import pytest

from heartlink_desktop.server.host import HostServer
from tests.support import Clients, until

pytestmark = pytest.mark.asyncio


async def test_both_are_asked_after_a_leave_and_two_yeses_swap_contacts(
    host: HostServer, clients: Clients
) -> None:
    a, b = await clients.pair()
    await a.emit("leave")
    for peer, other in ((a, "Bob"), (b, "Alice")):
        ended = await peer.wait_for("session_ended")
        asked = await peer.wait_for("again_asked")
        assert asked["session_id"] == ended["session_id"] and asked["name"] == other
    sid = a.received["again_asked"][0]["session_id"]
    await a.emit("again_answer", {"session_id": sid, "yes": True, "contact": "alice@here"})
    await a.wait_for("again_received")
    assert a.received["again_match"] == []
    await b.emit("again_answer", {"session_id": sid, "yes": True})
    assert await a.wait_for("again_match") == {"session_id": sid, "name": "Bob", "contact": ""}
    assert await b.wait_for("again_match") == {"session_id": sid, "name": "Alice", "contact": "alice@here"}
    assert host.again.counts() == {"asked": 1, "answered": 2, "mutual": 1}


async def test_a_no_looks_exactly_like_no_answer_to_the_one_who_said_yes(
    host: HostServer, clients: Clients
) -> None:
    a, b = await clients.pair()
    await b.emit("leave")
    sid = (await a.wait_for("again_asked"))["session_id"]
    await b.wait_for("again_asked")
    await a.emit("again_answer", {"session_id": sid, "yes": True, "contact": "alice@here"})
    await b.emit("again_answer", {"session_id": sid, "yes": False})
    await a.wait_for("again_received")
    await b.wait_for("again_received")
    await until(lambda: host.again.counts()["answered"] == 2)
    assert a.received["again_received"] == [{"session_id": sid}] == b.received["again_received"]
    assert a.received["again_match"] == [] == b.received["again_match"]
    assert host.again.counts()["mutual"] == 0


async def test_a_reset_ends_without_the_question(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    await host.reset()
    await a.wait_for("session_ended")
    # a reset disconnects everyone after its last message: a question would have come before
    await until(lambda: not a.sio.connected and not b.sio.connected)
    assert a.received["again_asked"] == [] and b.received["again_asked"] == []
