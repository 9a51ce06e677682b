"""The host's outbox: sends finish in place when nothing waits (an eager task), and always go
out in order, also with `--plain-io` (an ordinary task); its websockets are plain (no
per-message compression)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from heartlink_desktop.server.outbox import Outbox, Send
from heartlink_desktop.tls import client_context
from tests.support import WAIT, running_host

pytestmark = pytest.mark.asyncio
both = pytest.mark.parametrize("eager", [True, False], ids=["eager", "plain"])


def opened(eager: bool) -> Outbox:
    box = Outbox(eager=eager)
    box.open()
    return box


def instant(out: list[str], name: str) -> Send:
    async def send() -> None:
        out.append(name)

    return send


async def test_a_send_that_does_not_wait_is_done_at_once() -> None:
    box = opened(eager=True)
    out: list[str] = []
    box.put(instant(out, "one"))
    assert out == ["one"] and box.sent_in_place == 1  # no loop turn needed
    box.put(instant(out, "two"))
    assert out == ["one", "two"] and box.sent_in_place == 2


@both
async def test_order_holds_behind_a_send_that_waits(eager: bool) -> None:
    box = opened(eager)
    out: list[str] = []
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()
        out.append("slow")

    box.put(instant(out, "one"))
    box.put(slow)
    box.put(instant(out, "two"))
    box.put(instant(out, "three"))
    for _ in range(3):
        await asyncio.sleep(0)
    assert out == ["one"]  # "two" and "three" wait behind "slow"
    gate.set()
    await asyncio.wait_for(box.join(), 5)
    assert out == ["one", "slow", "two", "three"]
    box.put(instant(out, "four"))
    await asyncio.wait_for(box.join(), 5)
    assert out[-1] == "four"
    assert box.sent_in_place == (2 if eager else 0)  # "one" and "four"


@both
async def test_a_send_put_while_another_is_sent_goes_after_it(eager: bool) -> None:
    box = opened(eager)
    out: list[str] = []

    async def first() -> None:
        out.append("first begins")
        box.put(instant(out, "second"))  # as a send whose event makes the host send again
        out.append("first ends")

    box.put(first)
    await asyncio.wait_for(box.join(), 5)
    assert out == ["first begins", "first ends", "second"]


@both
async def test_a_failing_send_is_logged_and_the_next_ones_still_go(
    eager: bool, caplog: pytest.LogCaptureFixture
) -> None:
    box = opened(eager)
    out: list[str] = []

    async def boom() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("gone")

    async def fails_at_once() -> None:
        raise RuntimeError("at once")

    box.put(fails_at_once)
    box.put(boom)
    box.put(instant(out, "fine"))
    await asyncio.wait_for(box.join(), 5)
    assert out == ["fine"] and caplog.text.count("sending failed") == 2
    box.close()
    box.put(instant(out, "fine"))  # closed: nothing more goes out
    await asyncio.sleep(0)
    assert out == ["fine"]


@both
async def test_a_send_that_yields_or_is_cancelled_while_waiting(eager: bool) -> None:
    box = opened(eager)
    out: list[str] = []

    async def yields() -> None:
        await asyncio.sleep(0)  # a bare yield, twice
        await asyncio.sleep(0)
        out.append("yielded")

    box.put(yields)
    box.put(instant(out, "after"))
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
    for _ in range(2):
        await asyncio.sleep(0)
    box.close()  # the host stops: the waiting send is cancelled, and cleans up
    for _ in range(5):
        await asyncio.sleep(0)
    assert out == ["yielded", "after", "cleaned up"]


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
