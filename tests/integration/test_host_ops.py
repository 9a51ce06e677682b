"""What the host does in-process (End, Reset, stop), the HTTP side, and start-up clean-up."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
import socketio

from heartlink_desktop.server.host import HostServer, PortInUseError
from tests.support import Clients, Peer, Serve, running_host, until

pytestmark = pytest.mark.asyncio


async def test_page_ca_and_health_over_tls(host: HostServer, clients: Clients) -> None:
    assert host.cert is not None
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=clients.ssl())) as http:
        async with http.get(f"{clients.url}/?t={host.token}") as r:
            assert r.status == 200 and "HeartLink" in await r.text()
            assert r.headers["Referrer-Policy"] == "no-referrer"
            assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        async with http.get(f"{clients.url}/ca.crt") as r:
            assert r.status == 200 and await r.read() == host.cert.ca_file.read_bytes()
        async with http.get(f"{clients.url}/healthz") as r:
            assert (await r.json())["status"] == "ok"
        async with http.get(f"{clients.url}/vendor/socket.io.esm.min.js") as r:
            assert r.status == 200 and "Socket" in await r.text()
        async with http.get(f"{clients.url}/static/../../pyproject.toml") as r:
            assert r.status in (403, 404)


async def test_cross_origin_socket_is_refused(host: HostServer, clients: Clients) -> None:
    peer = Peer(clients.url, clients.ssl())
    clients.peers.append(peer)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await peer.sio.connect(
            clients.url,
            auth={"token": host.token},
            wait_timeout=5,
            headers={"Origin": "https://evil.example"},
        )
    assert host.clients == set()


async def test_host_ends_one_session(serve: Serve) -> None:
    host, cl = await serve(max_pairs=2)
    a1, b1 = await cl.pair()
    a2, b2 = await cl.pair()
    s1 = (await a1.wait_for("session_info"))["session_id"]
    assert await host.end_session(s1)
    for peer in (a1, b1):
        ended = await peer.wait_for("session_ended")
        assert ended == {"session_id": s1, "reason": "host_ended", "summary": ended["summary"]}
        assert ended["summary"].startswith("Alice and Bob met")  # the facilitator's summary
    await until(lambda: not host.store.path(s1).exists())
    assert len(host.store.files()) == 1
    await a2.emit("transcript_update", {"text": "we carry on"})
    assert (await b2.wait_for("transcript_update"))["text"] == "we carry on"
    assert a2.received["session_ended"] == []
    assert not await host.end_session(s1)  # already gone


async def test_reset_ends_everything_and_rotates_the_token(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    old = host.token
    news: list[str] = []
    host.subscribe(lambda e: news.append(e.kind))
    new = await host.reset()
    assert new != old and host.token == new and len(new) >= 22
    for peer in (a, b):
        assert (await peer.wait_for("session_ended"))["reason"] == "reset"
    await until(lambda: not a.sio.connected and not b.sio.connected)
    assert host.store.files() == [] and host.rooms.sessions == [] and "token" in news
    with pytest.raises(socketio.exceptions.ConnectionError):
        await clients.new("late", token=old)
    fresh = await clients.new("fresh", token=new)
    assert (await fresh.join("Fresh"))["role"] == "A"
    assert old not in host.join_url and new in host.join_url


async def test_files_left_by_a_crash_are_removed_at_start(serve: Serve, data_dir: Path) -> None:
    sessions = data_dir / "sessions"
    sessions.mkdir(parents=True)
    stale = sessions / "session_20260101_000000.json"
    stale.write_text(json.dumps({"status": "active"}))
    (sessions / ".session_20260101_000000.json.abc.tmp").write_text("{half")
    _, cl = await serve()
    assert list(sessions.iterdir()) == []
    assert (await (await cl.new()).join("A"))["status"] == "waiting"


async def test_stop_tells_peers_and_leaves_no_file(serve: Serve, data_dir: Path) -> None:
    host, cl = await serve()
    a, b = await cl.pair()
    await host.stop()
    for peer in (a, b):
        assert (await peer.wait_for("session_ended"))["reason"] == "host_stopped"
    assert list((data_dir / "sessions").glob("*")) == []
    again, _ = await serve(port=host.port)  # the port is free again, on the same data dir
    assert again.port == host.port


async def test_port_in_use_is_a_clear_error(host: HostServer, data_dir: Path) -> None:
    with pytest.raises(PortInUseError, match=f"port {host.port} is already in use"):
        async with running_host(data_dir / "other", port=host.port):
            pass


async def test_stop_is_not_held_by_a_half_open_long_poll(host: HostServer, clients: Clients) -> None:
    """A page that opened Engine.IO polling but never connected Socket.IO must not hold stop."""
    import asyncio

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=clients.ssl())) as http:
        async with http.get(f"{clients.url}/socket.io/?EIO=4&transport=polling") as r:
            handshake = await r.text()
        eio_sid = json.loads(handshake[1:])["sid"]
        poll = asyncio.ensure_future(
            http.get(f"{clients.url}/socket.io/?EIO=4&transport=polling&sid={eio_sid}")
        )
        await until(lambda: eio_sid in host.sio.eio.sockets)
        await asyncio.wait_for(host.stop(), 10)  # it took a minute before
        poll.cancel()
