"""Memory per connection, memory after a flood, and a phone's way in past half-open connections.

The host runs headless in a process of its own (its RSS is read from /proc), started twice
side by side: as shipped (TLS read buffer 32 KiB, malloc_trim after a flood) and with
asyncio's public TLS path (256 KiB read buffer) and no trim, for comparison. For each:

1. RSS at rest; then 1,000 idle TLS connections (handshake done, nothing sent): RSS and KB per
   connection; closed.
2. 1,500 Socket.IO clients connect (websocket), then all disconnect: RSS at the peak and 3 s
   after the last closed, against RSS at rest.
3. The same host under a file limit of 256 (macOS's default), 1,000 half-open TCP connections
   (no TLS handshake ever): how long a phone retrying once a second waits to get in.

Prints figures, asserts nothing; loopback only. Linux (reads /proc).
`.venv/bin/python -m benchmarks.connections [--idle 1000] [--flood 1500] [--half-open 1000]`
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from benchmarks.common import load

URL_LINE = re.compile(r"Join URL: https://[\d.]+:(?P<port>\d+)/\?t=(?P<token>[\w-]+)")
PUBLIC = "import heartlink_desktop.server.listener as l; l.LEAN_TLS = False; l.TRIM_AFTER = 10**9; "


class Host:
    """A headless host process on loopback; `rss()` in MB."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int, token: str, data: Path) -> None:
        self.proc, self.port, self.token, self.data = proc, port, token, data

    @classmethod
    async def start(cls, *, public: bool, files: int | None = None, pairs: int = 500) -> Host:
        data = Path(tempfile.mkdtemp(prefix="heartlink-bench-"))
        code = (
            PUBLIC if public else ""
        ) + "from heartlink_desktop.app import main; import sys; sys.exit(main())"
        args = ["--headless", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data)]
        args += ["--max-pairs", str(pairs), "--stt", "off"]

        def limit() -> None:
            if files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            code,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            stdin=asyncio.subprocess.DEVNULL,
            preexec_fn=limit,
        )
        assert proc.stdout is not None
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            if not line:
                raise RuntimeError("the host exited")
            if m := URL_LINE.search(line):
                return cls(proc, int(m["port"]), m["token"], data)

    def rss(self) -> float:
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", text)[1]) / 1024  # type: ignore[index]

    def ssl(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.data / "certs" / "ca.crt"))

    async def stop(self) -> None:
        self.proc.terminate()
        await self.proc.wait()


async def settle(seconds: float = 1.5) -> None:
    await asyncio.sleep(seconds)  # a benchmark may wait: the host's memory settles


async def idle_tls(host: Host, n: int) -> tuple[float, float, float, float]:
    """RSS at rest, with n idle TLS connections, after they closed; KB per connection."""
    await settle()
    rest = host.rss()
    ctx = host.ssl()
    conns = []
    for start in range(0, n, 100):
        conns += await asyncio.gather(
            *(
                asyncio.open_connection("127.0.0.1", host.port, ssl=ctx)
                for _ in range(start, min(n, start + 100))
            )
        )
    await settle(1.0)
    held = host.rss()
    for _r, w in conns:
        w.close()
    await settle(3.0)
    return rest, held, host.rss(), (held - rest) * 1024 / n


async def flood(host: Host, n: int) -> tuple[float, float, float, float]:
    """RSS at rest, at the peak of n Socket.IO clients, 3 s after all closed; seconds to connect."""
    await settle()
    rest = host.rss()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=host.ssl(), limit=0))
    clients = [socketio.AsyncClient(reconnection=False, http_session=http) for _ in range(n)]
    url = f"https://127.0.0.1:{host.port}"
    began = time.perf_counter()
    for start in range(0, n, 100):
        await asyncio.gather(
            *(
                c.connect(url, auth={"token": host.token}, transports=["websocket"], wait_timeout=60)
                for c in clients[start : start + 100]
            )
        )
    took = time.perf_counter() - began
    peak = host.rss()
    for start in range(0, n, 100):
        await asyncio.gather(*(c.disconnect() for c in clients[start : start + 100]))
    await http.close()
    await settle(3.0)
    return rest, peak, host.rss(), took


async def half_open(host: Host, n: int) -> tuple[int, float]:
    """Open n TCP connections that never start TLS; seconds until a phone retrying every second
    is let in (and how many of the n the host took at all)."""
    held: list[Any] = []
    for _ in range(n):
        try:
            held.append(await asyncio.open_connection("127.0.0.1", host.port))
        except OSError:
            break
    began = time.perf_counter()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=host.ssl()))
    phone = socketio.AsyncClient(reconnection=False, http_session=http)
    while True:
        try:
            await phone.connect(f"https://127.0.0.1:{host.port}", auth={"token": host.token}, wait_timeout=5)
            break
        except socketio.exceptions.ConnectionError:
            await asyncio.sleep(1.0)  # socket.io-client's first reconnection delay
    waited = time.perf_counter() - began
    await phone.disconnect()
    await http.close()
    for _r, w in held:
        w.close()
    return len(held), waited


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--idle", type=int, default=1000)
    p.add_argument("--flood", type=int, default=1500)
    p.add_argument("--half-open", type=int, default=1000)
    a = p.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))  # the clients' side
    print(f"connections benchmark, {load()}", flush=True)
    for public in (False, True):
        name = "asyncio's TLS path (256 KiB buffer), no trim" if public else "as shipped"
        host = await Host.start(public=public)
        try:
            rest, held, after, per = await idle_tls(host, a.idle)
            print(
                f"{name}: {a.idle} idle TLS connections: RSS {rest:.0f} -> {held:.0f} MB, "
                f"{per:.0f} KB per connection; {after:.0f} MB 3 s after they closed",
                flush=True,
            )
            rest, peak, after, took = await flood(host, a.flood)
            print(
                f"{name}: {a.flood} Socket.IO clients in {took:.1f} s: RSS {rest:.0f} MB at rest, "
                f"{peak:.0f} at the peak, {after:.0f} 3 s after all closed ({after - rest:+.0f} MB)",
                flush=True,
            )
        finally:
            await host.stop()
        host = await Host.start(public=public, files=256)
        try:
            taken, waited = await half_open(host, a.half_open)
            print(
                f"{name}, file limit 256: {a.half_open} half-open connections ({taken} opened): "
                f"a phone got in after {waited:.1f} s",
                flush=True,
            )
        finally:
            await host.stop()
    print(f"done, {load()}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
