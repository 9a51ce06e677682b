"""The window's loop: callbacks in order, timers on time, cancelled timers never run."""

from __future__ import annotations

import asyncio

import pytest

from heartlink_desktop.gui.loop import BatchedLoop

pytestmark = pytest.mark.asyncio


async def test_callbacks_run_in_order_and_timers_by_their_time() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, BatchedLoop)
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
    assert loop.time() - start >= 0.079


async def test_many_cancelled_timeouts_leave_nothing_behind_and_a_real_one_fires() -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, BatchedLoop)
    for _ in range(1000):  # as every websocket read does: a timeout set, then cancelled
        async with asyncio.timeout(30):
            await asyncio.sleep(0)
    assert len(loop._timers) < 600  # cancelled ones are swept, not kept for 30 s
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await asyncio.sleep(10)
