"""The window's loop, batched and plain (`--plain-io`): callbacks in order, timers on time,
cancelled timers never run, a failing callback reported without stopping the others."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import qasync

from heartlink_desktop.gui.loop import BatchedLoop

pytestmark = pytest.mark.asyncio


def plain_too(test: Any) -> Any:
    """On both window loops: this module's (BatchedLoop) and qasync's own (`--plain-io`)."""
    return pytest.mark.plain_too(test)


@plain_too
async def test_callbacks_run_in_order_and_timers_by_their_time() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, qasync.QEventLoop)
    out: list[str] = []
    done = loop.create_future()
    loop.call_later(0.06, out.append, "late")
    loop.call_later(0.02, out.append, "early")
    gone = loop.call_later(0.01, out.append, "cancelled")
    loop.call_soon(out.append, "soon 1")
    loop.call_soon(out.append, "soon 2")
    loop.call_later(0, out.append, "soon 3")
    gone.cancel()
    loop.call_later(0.08, done.set_result, None)
    start = loop.time()
    await asyncio.wait_for(done, 5)
    assert out == ["soon 1", "soon 2", "soon 3", "early", "late"]
    # never early; qasync's own Qt timers are coarse ones, which Qt may fire up to 5 % early
    assert loop.time() - start >= (0.079 if isinstance(loop, BatchedLoop) else 0.075)


@plain_too
async def test_a_failing_callback_is_reported_and_the_next_ones_run() -> None:
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    before = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        out: list[str] = []
        done = loop.create_future()

        def boom() -> None:
            raise RuntimeError("boom")

        loop.call_soon(boom)
        loop.call_soon(out.append, "after")
        loop.call_later(0.01, boom)
        loop.call_later(0.02, done.set_result, None)
        await asyncio.wait_for(done, 5)
    finally:
        loop.set_exception_handler(before)
    assert out == ["after"]
    assert [type(c["exception"]) for c in seen] == [RuntimeError, RuntimeError]
    assert all("boom" in c["message"] for c in seen)


async def test_many_cancelled_timeouts_leave_nothing_behind_and_a_real_one_fires() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, BatchedLoop)
    for _ in range(1000):  # as every websocket read does: a timeout set, then cancelled
        async with asyncio.timeout(30):
            await asyncio.sleep(0)
    assert loop.kept_timers < 600  # cancelled ones are swept, not kept for 30 s
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await asyncio.sleep(10)
