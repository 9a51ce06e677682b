"""Slow, half-open and surplus connections against the real host over TLS: each timeout closes
what it is for (short timeouts stand in for the defaults), the cap refuses before any TLS,
and a phone gets in once the half-open ones are gone."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from heartlink_desktop.server import listener
from heartlink_desktop.server.host import HostServer
from tests.support import WAIT, Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio


async def closed_by_host(reader: asyncio.StreamReader, within: float = WAIT) -> bool:
    """True when the host closes the connection (EOF or a reset) within `within` seconds."""
    try:
        while await asyncio.wait_for(reader.read(65536), within):
            pass
    except (ConnectionError, ssl.SSLError):
        pass
    return True


async def tls(clients: Clients) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", clients.host.port, ssl=clients.ssl())


async def test_a_silent_tcp_connection_is_closed_when_the_handshake_times_out(serve: Serve) -> None:
    host, _clients = await serve(handshake_timeout=0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", host.port)  # no ClientHello
    try:
        assert await closed_by_host(reader, within=5)
    finally:
        writer.close()


async def test_a_half_sent_request_head_is_closed_after_the_request_timeout(serve: Serve) -> None:
    _host, clients = await serve(request_timeout=0.3)
    reader, writer = await tls(clients)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the head never ends
    await writer.drain()
    try:
        assert await closed_by_host(reader, within=5)
    finally:
        writer.close()


async def test_an_idle_kept_alive_connection_is_closed_after_the_request_timeout(serve: Serve) -> None:
    _host, clients = await serve(request_timeout=0.3)
    reader, writer = await tls(clients)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.startswith(b"HTTP/1.1 200")  # kept alive: then idle
    try:
        assert await closed_by_host(reader, within=5)
    finally:
        writer.close()


async def test_an_engine_io_session_that_never_signs_in_is_closed(serve: Serve) -> None:
    host, clients = await serve(client_timeout=0.3)
    reader, writer = await tls(clients)
    writer.write(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    await asyncio.wait_for(reader.readuntil(b'"sid"'), WAIT)  # an Engine.IO session, no Socket.IO
    assert len(host.sio.eio.sockets) == 1
    await until(lambda: not host.sio.eio.sockets)
    assert host.sio.unsigned_closed == 1
    writer.close()
    ok = await clients.new("ok")  # a real client signs in at once and stays
    assert (await ok.join("Alice"))["role"] == "A"
    assert ok.sio.connected


@pytest.mark.parametrize("lean", [True, False], ids=["lean", "public"])
async def test_connections_past_the_cap_are_refused_and_a_phone_gets_in_when_one_goes(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, lean: bool
) -> None:
    monkeypatch.setattr(listener, "LEAN_TLS", lean)
    host, clients = await serve(max_connections=4)
    assert host.listener is not None and host.listener.cap == 4 and host.listener.lean is lean
    held = [await tls(clients) for _ in range(4)]
    for _reader, writer in held:  # each sends a request, so the public path counts it too
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
    for reader, _writer in held:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert await refused(clients)
    assert host.listener.refused >= 1
    held[0][1].close()  # one goes: a phone gets in
    await until(lambda: not lean or (host.listener is not None and host.listener.open < 4))
    peer = await connect_soon(clients)
    assert (await peer.join("Alice"))["role"] == "A"
    for _reader, writer in held[1:]:
        writer.close()


async def refused(clients: Clients) -> bool:
    """True when the host closes a new connection at once: before the TLS handshake on the
    lean path, right after it on the public one."""
    try:
        reader, writer = await asyncio.wait_for(tls(clients), WAIT)
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        return True
    try:
        return await closed_by_host(reader, within=WAIT)
    finally:
        writer.close()


async def connect_soon(clients: Clients, within: float = WAIT) -> Peer:
    """A phone's client, retrying as socket.io-client does until the host takes it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            return await clients.new("phone")
        except Exception:
            await clients.peers.pop().close()  # its HTTP session too
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)  # socket.io-client's own retry delay, shortened


async def test_half_open_connections_cannot_keep_a_phone_out(serve: Serve) -> None:
    host, clients = await serve(max_connections=20, handshake_timeout=0.5, request_timeout=0.5)
    half_open = []
    for _ in range(60):  # three times the cap; TCP only, no TLS handshake ever
        try:
            half_open.append(await asyncio.open_connection("127.0.0.1", host.port))
        except OSError:
            pass
    assert host.listener is not None
    await until(lambda: host.listener is not None and host.listener.refused >= 40)
    loop = asyncio.get_running_loop()
    started = loop.time()
    peer = await connect_soon(clients)
    assert (await peer.join("Alice"))["role"] == "A"
    assert loop.time() - started < WAIT
    for _reader, writer in half_open:
        writer.close()


async def test_the_file_limit_bounds_the_cap(host: HostServer) -> None:
    room = listener.descriptor_room(10)
    assert room is None or room >= 10
    assert host.listener is not None and host.listener.cap <= (room or host.listener.cap)
