"""The relay's fast path (server/fast.py) on the real server over TLS with real clients: frames
of one loop turn go out in one write, the wire format is python-socketio's (raw frames in and
out alike with `--plain-io`), no task per message, binary data still takes python-socketio's
way, a silent socket is closed (with `--plain-io` too)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from heartlink_desktop.server import fast
from heartlink_desktop.server.host import HostServer
from heartlink_desktop.tls import client_context
from tests.support import WAIT, Peer, Serve, until

pytestmark = pytest.mark.asyncio


def websocket_of(host: HostServer, peer: Peer) -> fast.FastWebSocket:
    eio_sid = host.sio.manager.eio_sid_from_sid(peer.sid, "/")
    ws = getattr(host.sio.eio.sockets[eio_sid], "fast_ws", None)
    assert ws is not None, "the peer is not on the fast websocket"
    return ws


async def upgraded(host: HostServer, peer: Peer) -> fast.FastWebSocket:
    """The peer's websocket once its upgrade from polling is done (the client tells no event)."""

    def ready() -> bool:
        socket = host.sio.eio.sockets.get(host.sio.manager.eio_sid_from_sid(peer.sid, "/"))
        return getattr(socket, "fast_ws", None) is not None and socket.queue.empty()

    await until(ready)
    return websocket_of(host, peer)


async def test_the_frames_of_one_loop_turn_go_out_in_one_write(serve: Serve) -> None:
    host, clients = await serve()
    a, b = await clients.pair()
    ws = await upgraded(host, b)
    await host.flush()
    before = ws.out.writes
    for n in range(50):  # one loop turn: no await between them
        host.relay.send("ice_candidate", {"candidate": {"candidate": f"c{n}"}, "sender": a.sid}, to=b.sid)
    last = await b.wait_for("ice_candidate", 50)
    assert last["candidate"]["candidate"] == "c49"
    assert [m["candidate"]["candidate"] for m in b.received["ice_candidate"]] == [f"c{n}" for n in range(50)]
    assert ws.out.writes - before == 1  # 50 frames, one write to the TLS transport


async def test_a_burst_from_a_peer_is_relayed_in_order_with_no_task_per_message(serve: Serve) -> None:
    host, clients = await serve()
    a, b = await clients.pair()
    await upgraded(host, a)
    await upgraded(host, b)
    loop = asyncio.get_running_loop()
    tasks: list[str] = []  # the server's (the clients make a task per event they get)
    default = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kw: Any) -> asyncio.Future[Any]:
        where = getattr(getattr(coro, "cr_code", None), "co_filename", "")
        if not where.endswith(("async_client.py", "support.py")):
            tasks.append(getattr(coro, "__qualname__", repr(coro)))
        if default is not None:
            return default(loop, coro, **kw)
        return asyncio.Task(coro, loop=loop, **kw)

    loop.set_task_factory(counting)
    try:
        for n in range(200):
            c = {"candidate": f"candidate:{n} 1 udp 1 127.0.0.1 {1024 + n} typ host", "sdpMid": "0"}
            await a.emit("ice_candidate", {"target": b.sid, "candidate": c})
        await b.wait_for("ice_candidate", 200)
    finally:
        loop.set_task_factory(default)
    got = [m["candidate"]["candidate"].split()[0] for m in b.received["ice_candidate"]]
    assert got == [f"candidate:{n}" for n in range(200)]
    assert all(m["sender"] == a.sid for m in b.received["ice_candidate"])
    assert len(tasks) < 20, tasks  # engineio's read loop made one (and a timeout) per message


async def test_the_frame_is_what_python_socketio_writes_and_non_ascii_text_survives(serve: Serve) -> None:
    data = {"text": 'Grüße, 你好 🙂 "quoted" \\ back', "n": [1, 2.5, None, True], "nested": {"k": []}}
    frame = fast.event_frame("transcript_update", [data])
    assert frame is not None and frame[0] == 0x81 and frame[1] == len(frame) - 2
    text = frame[2:].decode()
    assert text.startswith('42["transcript_update",')
    assert json.loads(text[2:]) == ["transcript_update", data]
    assert fast.event_frame("x", [{"blob": b"\x00"}]) is None  # binary: python-socketio's way
    assert fast.event_frame("x", [{1: "int key"}]) is None
    long = fast.frame(b"x" * 70000)
    assert long[:2] == b"\x81\x7f" and int.from_bytes(long[2:10], "big") == 70000
    assert fast.frame(b"x" * 300)[:4] == b"\x81\x7e\x01\x2c"

    host, clients = await serve()
    a, b = await clients.pair()
    await upgraded(host, b)
    host.relay.send("transcript_update", data, to=b.sid)
    assert await b.wait_for("transcript_update") == data
    host.relay.send("ice_candidate", {"blob": b"\x00\x01\xff", "sender": a.sid}, to=b.sid)
    got = await b.wait_for("ice_candidate")
    assert got == {"blob": b"\x00\x01\xff", "sender": a.sid}  # a binary packet, as before


async def next_event(ws: aiohttp.ClientWebSocketResponse, name: str) -> str:
    """The next text frame that carries event `name` (others, such as speech_status, skipped)."""
    while True:
        msg = await ws.receive(timeout=WAIT)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        if msg.data.startswith(f'42["{name}",'):
            return str(msg.data)


@pytest.mark.plain_too
async def test_raw_websocket_events_in_and_out(serve: Serve) -> None:
    """Engine.IO 4 / Socket.IO 5 frames as socket.io-client writes and reads them (the same
    with `--plain-io`, python-engineio's own websockets)."""
    host, clients = await serve()
    assert host.cert is not None
    url = f"https://127.0.0.1:{host.port}/socket.io/?EIO=4&transport=websocket"
    peer = await clients.new("peer")
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url, ssl=client_context(host.cert)) as ws:
            opening = await ws.receive(timeout=WAIT)
            assert opening.data.startswith("0{")
            await ws.send_str("40" + json.dumps({"token": host.token}))
            connected = await ws.receive(timeout=WAIT)
            assert connected.data.startswith('40{"sid":')
            sid = json.loads(connected.data[2:])["sid"]
            await ws.send_str('42["join",{"room":"matchmaking","profile":{"name":"Raw"}}]')
            await next_event(ws, "session_info")
            await peer.join("Peer")
            await next_event(ws, "user_joined")
            candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0"}
            await ws.send_str(
                "42" + json.dumps(["ice_candidate", {"target": peer.sid, "candidate": candidate}])
            )
            assert await peer.wait_for("ice_candidate") == {"candidate": candidate, "sender": sid}
            await peer.emit("ice_candidate", {"target": sid, "candidate": candidate})
            relayed = await next_event(ws, "ice_candidate")
            assert json.loads(relayed[2:]) == ["ice_candidate", {"candidate": candidate, "sender": peer.sid}]


@pytest.mark.plain_too
async def test_a_websocket_that_goes_silent_is_closed(serve: Serve) -> None:
    host, _ = await serve()
    assert host.cert is not None
    host.sio.eio.ping_interval, host.sio.eio.ping_timeout = 0.2, 0.3  # for this test's sockets
    url = f"https://127.0.0.1:{host.port}/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url, ssl=client_context(host.cert), autoping=False) as ws:
            opening = await ws.receive(timeout=WAIT)
            assert opening.data.startswith("0{")
            sid = json.loads(opening.data[1:])["sid"]
            assert sid in host.sio.eio.sockets
            seen = []
            while True:  # it never answers a ping: the host must close it
                msg = await ws.receive(timeout=WAIT)
                seen.append(msg.type)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    break
    await until(lambda: sid not in host.sio.eio.sockets)
