"""`--plain-io` (Settings.plain_io): the host takes the libraries' public paths, and a
conversation gives its people the same events, in the same order, as on the fast ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
import socketio

from heartlink_desktop.server.host import HostServer
from heartlink_desktop.server.outbox import InlineManager
from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio

QUIET = {"silence_seconds": 3600.0, "turns_without_ai": 100_000, "max_pairs": 2}


def on_fast_websocket(host: HostServer, peer: Peer) -> bool:
    socket = host.sio.eio.sockets[host.sio.manager.eio_sid_from_sid(peer.sid, "/")]
    return getattr(socket, "fast_ws", None) is not None


def upgraded(host: HostServer, peer: Peer) -> bool:
    socket = host.sio.eio.sockets.get(host.sio.manager.eio_sid_from_sid(peer.sid, "/"))
    return socket is not None and bool(socket.upgraded)


@pytest.mark.plain_too
async def test_the_switch_chooses_the_path(serve: Serve, io_path: str) -> None:
    host, clients = await serve()
    plain = io_path == "plain"
    assert host.settings.plain_io is plain
    assert type(host.sio.manager) is (socketio.AsyncManager if plain else InlineManager)
    assert host.listener is not None and host.listener.lean is not plain
    a, b = await clients.pair()
    await until(lambda: upgraded(host, a) and upgraded(host, b))
    assert on_fast_websocket(host, b) is not plain
    before = host._outbox.sent_in_place
    await a.emit("transcript_update", {"text": "hello"})
    await b.wait_for("transcript_update")
    assert (host._outbox.sent_in_place > before) is not plain  # an eager task, or a scheduled one


async def conversation(clients: Clients) -> list[Peer]:
    """Two pairs and one more in line: signaling, lines, speaking, bad input, a leave."""
    a, b = await clients.pair()
    c, d = await clients.pair()
    e = await clients.new("e")
    await e.emit("join", {"room": "matchmaking", "profile": {"name": "Eve"}})
    await e.wait_for("queued")
    await b.emit("offer", {"target": a.sid, "offer": {"type": "offer", "sdp": "v=0 b"}})
    await a.wait_for("offer")
    await a.emit("answer", {"target": b.sid, "answer": {"type": "answer", "sdp": "v=0 a"}})
    for n in range(20):
        cand = {"candidate": f"candidate:{n} 1 udp 1 127.0.0.1 {9000 + n} typ host", "sdpMid": "0"}
        await a.emit("ice_candidate", {"target": b.sid, "candidate": cand})
        await d.emit("ice_candidate", {"target": c.sid, "candidate": cand})
    await b.wait_for("ice_candidate", 20)
    await c.wait_for("ice_candidate", 20)
    await a.emit("audio_activity", {"speaking": True})
    await a.emit("transcript_update", {"text": "  Grüße, 你好 🙂  "})
    await a.emit("audio_activity", {"speaking": False})
    await b.wait_for("transcript_update")  # one at a time: two sockets' order is the network's
    await b.emit("transcript_update", {"text": "and to you"})
    await a.wait_for("transcript_update", 2)
    await c.emit("offer", {"target": a.sid, "offer": {"type": "offer", "sdp": "not yours"}})
    await c.emit("make_me_admin", {"please": True})
    await c.emit("transcript_update", {"text": "x" * 70_000})
    await c.error(3)
    await a.emit("leave")
    await b.wait_for("session_ended")
    await e.wait_for("session_info")  # Eve's turn: the seat Alice and Bob freed
    return [a, b, c, d, e]


def trace(peers: list[Peer], host: HostServer) -> list[list[tuple[str, Any]]]:
    """What each peer received, in order, with ids, secrets and times replaced by their
    order of first appearance (they differ between any two runs)."""
    names: dict[str, str] = {}
    volatile = re.compile(r"^[A-Za-z0-9_-]{16,}$|^\d{4}-\d\d-\d\dT")

    def norm(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: norm(v, k) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, str) and (volatile.match(value) or key in ("at", "started_at", "ended_at")):
            return names.setdefault(value, f"<{len(names)}>")
        if isinstance(value, float) and key.endswith(("at", "seconds", "_s")):
            return "<time>"
        return value

    out = []
    for peer in peers:
        events = [(event, n) for event, payloads in peer.received.items() for n in range(len(payloads))]
        # the order each event arrived in, across kinds, is not kept by Peer: sort by kind then order
        out.append([(event, norm(peer.received[event][n])) for event, n in sorted(events)])
    return out


async def test_a_conversation_gives_the_same_events_both_ways(serve: Serve) -> None:
    traces = []
    for plain in (False, True):
        host, clients = await serve(plain_io=plain, **QUIET)
        peers = await conversation(clients)
        await host.flush()
        traces.append(trace(peers, host))
        await clients.close()
        await host.stop()
    fast, plain_ = traces
    assert sum(len(t) for t in fast) > 60
    assert fast == plain_
