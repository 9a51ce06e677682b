"""The alarm rings once at the moment of the host's clock it was set for; the task set keeps,
logs and cancels what a part started."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.aio import Alarm, TaskSet

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.asyncio
async def test_the_alarm_rings_once_at_its_moment_and_a_new_set_replaces_the_old() -> None:
    rang = asyncio.Event()
    count: list[int] = []

    def ring() -> None:
        count.append(1)
        rang.set()

    alarm = Alarm(lambda: T0, ring)
    alarm.set(T0 + timedelta(hours=1))  # far away, then replaced by a near one
    alarm.set(T0 + timedelta(milliseconds=10))
    assert alarm.at == T0 + timedelta(milliseconds=10)
    await asyncio.wait_for(rang.wait(), 5)
    assert count == [1] and alarm.at is None


@pytest.mark.asyncio
async def test_a_cancelled_alarm_never_rings() -> None:
    rang: list[int] = []
    alarm = Alarm(lambda: T0, lambda: rang.append(1))
    alarm.set(T0)  # due now
    alarm.cancel()
    later = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, later.set)  # well past LATE
    await asyncio.wait_for(later.wait(), 5)
    assert rang == [] and alarm.at is None


@pytest.mark.asyncio
async def test_the_task_set_logs_a_failure_and_cancels_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSet("the test")

    async def fail() -> None:
        raise RuntimeError("boom")

    forever = tasks.spawn(asyncio.Event().wait())
    failing = tasks.spawn(fail())
    with caplog.at_level(logging.ERROR):
        await asyncio.gather(failing, return_exceptions=True)
        await asyncio.sleep(0)  # its done-callback runs at the next turn
    assert "a task of the test failed" in caplog.text
    assert len(tasks) == 1
    tasks.cancel()
    await tasks.wait()
    assert forever.cancelled() and len(tasks) == 0
