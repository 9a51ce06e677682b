"""The host's outbox: sends finish in place when nothing waits, and always go out in order;
its websockets are plain (no per-message compression)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from heartlink_desktop.server.outbox import Outbox
from heartlink_desktop.tls import client_context
from tests.support import WAIT, running_host

pytestmark = pytest.mark.asyncio


async def test_a_send_that_does_not_wait_is_done_at_once_and_order_holds_behind_one_that_waits() -> None:
    box = Outbox()
    box.open()
    out: list[str] = []
    gate = asyncio.Event()

    def instant(name: str):  # type: ignore[no-untyped-def]
        async def send() -> None:
            out.append(name)

        return send

    async def slow() -> None:
        await gate.wait()
        out.append("slow")

    box.put(instant("one"))
    assert out == ["one"] and box.sent_in_place == 1  # no loop turn needed
    box.put(slow)
    box.put(instant("two"))
    box.put(instant("three"))
    await asyncio.sleep(0)
    assert out == ["one"]  # "two" and "three" wait behind "slow"
    gate.set()
    await asyncio.wait_for(box.join(), 5)
    assert out == ["one", "slow", "two", "three"]
    box.put(instant("four"))
    assert out[-1] == "four" and box.sent_in_place == 2


async def test_a_failing_send_is_logged_and_the_next_ones_still_go(caplog: pytest.LogCaptureFixture) -> None:
    box = Outbox()
    box.open()
    out: list[str] = []

    async def boom() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("gone")

    async def fine() -> None:
        out.append("fine")

    box.put(boom)
    box.put(fine)
    await asyncio.wait_for(box.join(), 5)
    assert out == ["fine"] and "sending failed" in caplog.text
    box.close()
    box.put(fine)  # closed: nothing more goes out
    assert out == ["fine"]


async def test_websockets_are_not_compressed(data_dir: Path) -> None:
    """A client that offers permessage-deflate (browsers do) gets a plain websocket."""
    async with running_host(data_dir) as host:
        assert host.cert is not None
        url = f"https://127.0.0.1:{host.port}/socket.io/?EIO=4&transport=websocket"
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(url, ssl=client_context(host.cert), compress=15) as ws:
                opening = await ws.receive(timeout=WAIT)
                assert opening.type == aiohttp.WSMsgType.TEXT and opening.data.startswith("0{")
                assert ws.compress == 0


async def test_a_send_that_yields_or_is_cancelled_while_waiting() -> None:
    box = Outbox()
    box.open()
    out: list[str] = []

    async def yields() -> None:
        await asyncio.sleep(0)  # a bare yield, twice
        await asyncio.sleep(0)
        out.append("yielded")

    async def after() -> None:
        out.append("after")

    box.put(yields)
    box.put(after)
    await asyncio.wait_for(box.join(), 5)
    assert out == ["yielded", "after"]

    gate = asyncio.Event()

    async def stuck() -> None:
        try:
            await gate.wait()
            out.append("never")
        finally:
            out.append("cleaned up")

    box.put(stuck)
    await asyncio.sleep(0)
    box.close()  # the host stops: the waiting send is cancelled, and cleans up
    for _ in range(5):
        await asyncio.sleep(0)
    assert out == ["yielded", "after", "cleaned up"]
