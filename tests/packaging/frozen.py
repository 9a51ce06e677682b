"""Run a packaged HeartLink as a process and check it the way a phone would: page, TLS, pairing."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import ssl
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import aiohttp
import psutil

from tests.support import WAIT, Peer

URL_LINE = re.compile(
    r"HeartLink is listening\. Join URL: https://[^:/]+:(?P<port>\d+)/\?t=(?P<token>[\w-]+)"
)
START_TIMEOUT = 60.0  # a cold start of a frozen app on a busy 2-core machine


@dataclass
class Running:
    proc: asyncio.subprocess.Process
    port: int
    token: str
    data_dir: Path
    startup: float  # seconds from launch to the printed join URL
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def ssl(self) -> ssl.SSLContext:
        """Trust only the CA this app made in its data folder, as a phone that installed it."""
        return ssl.create_default_context(cafile=str(self.data_dir / "certs" / "ca.crt"))

    def app_pids(self) -> list[int]:
        """The launched process and its children (xvfb-run runs the app as a child)."""
        try:
            parent = psutil.Process(self.proc.pid)
            return [parent.pid, *(c.pid for c in parent.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    async def terminate(self, target: int | None = None) -> int:
        """SIGTERM to the app (or `target`), then its exit status."""
        os.kill(target or self.proc.pid, signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), WAIT * 2)


@asynccontextmanager
async def launched(
    command: Sequence[str | Path], data_dir: Path, *, log: Path, env: Mapping[str, str | None] | None = None
) -> AsyncIterator[Running]:
    """Start `command` with a free loopback port and `data_dir`; wait for its join URL line.

    `env` adds variables to the test's environment; a None value removes one.
    """
    merged: dict[str, str | None] = {**os.environ, **(env or {})}
    environ = {k: v for k, v in merged.items() if v is not None}
    args = [*map(str, command), "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir)]
    started = time.monotonic()
    with _open(log) as err:
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env=environ,
            start_new_session=True,
        )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while True:
            raw = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
            if not raw:
                await proc.wait()
                raise AssertionError(f"{args} exited ({proc.returncode}) before listening:\n{read(log)}")
            lines.append(raw.decode(errors="replace"))
            if m := URL_LINE.search(lines[-1]):
                break
        running = Running(proc, int(m["port"]), m["token"], data_dir, time.monotonic() - started, lines)
        drain = asyncio.create_task(_drain(proc.stdout, lines))
        yield running
        await asyncio.wait_for(drain, WAIT)
    finally:
        if proc.returncode is None:  # a failed test: leave nothing running
            for pid in reversed(Running(proc, 0, "", data_dir, 0).app_pids()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            await proc.wait()


def _open(log: Path) -> BinaryIO:
    return open(log, "wb")  # the caller closes it


def read(log: Path) -> str:
    return log.read_text(errors="replace")


async def _drain(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while raw := await stream.readline():
        lines.append(raw.decode(errors="replace"))


async def check_serves_and_pairs(app: Running, version: str) -> None:
    """The page, the bundled socket.io client and the health check over TLS; two peers pair."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=app.ssl())) as http:
        async with http.get(f"{app.url}/") as page:
            assert page.status == 200
            assert "<html" in (await page.text()).lower()
        async with http.get(f"{app.url}/vendor/socket.io.esm.min.js") as client:
            assert client.status == 200
            assert "Socket" in await client.text()
        async with http.get(f"{app.url}/healthz") as health:
            assert (await health.json())["version"] == version
    a, b = Peer(app.url, app.ssl(), "a"), Peer(app.url, app.ssl(), "b")
    try:
        await a.connect(app.token)
        await b.connect(app.token)
        await a.join("Alice")
        info = await b.join("Bob")
        joined = await a.wait_for("user_joined")
        assert info["peer"]["id"] == a.sid
        assert joined is not None
        await b.emit("offer", {"target": a.sid, "offer": {"type": "offer", "sdp": "v=0"}})
        offer = await a.wait_for("offer")
        assert offer["offer"]["sdp"] == "v=0" and offer["sender"] == b.sid
    finally:
        await a.close()
        await b.close()
