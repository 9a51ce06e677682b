"""Sessions that end by themselves: waiting too long for a partner, or idle too long."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import Serve, until

pytestmark = pytest.mark.asyncio


async def test_a_waiting_session_times_out_and_its_file_goes(serve: Serve) -> None:
    host, clients = await serve(waiting_timeout=1)
    loop = asyncio.get_running_loop()
    a = await clients.new("a")
    start = loop.time()
    info = await a.join("Alice")
    path = host.store.path(info["session_id"])
    await until(path.exists)
    ended = await a.wait_for("session_ended")
    assert ended == {"session_id": info["session_id"], "reason": "timeout", "summary": ""}
    assert loop.time() - start >= 0.9
    await until(lambda: not path.exists())
    assert host.rooms.sessions == [] and host.store.files() == []
    # the socket stays connected and may join again
    assert (await a.join("Alice"))["role"] == "A"


async def test_an_idle_session_times_out_and_activity_puts_it_off(serve: Serve) -> None:
    """End to end: a line and speech reach the deadline, and the pair ends on the timer. That it
    ends no sooner, to the tick, is tests/unit/test_timeouts.py (a fake clock, no waiting)."""
    host, clients = await serve(idle_timeout=1)
    loop = asyncio.get_running_loop()
    a, b = await clients.pair()
    session_id = b.received["session_info"][0]["session_id"]
    paired = host.rooms.expiry.deadline_of(session_id)
    assert paired is not None
    await a.emit("transcript_update", {"text": "still here"})
    await b.wait_for("transcript_update")
    await until(lambda: (host.rooms.expiry.deadline_of(session_id) or paired) > paired)  # the line put it off
    said = host.rooms.expiry.deadline_of(session_id)
    assert said is not None
    await a.emit("audio_activity", {"speaking": True})  # speech counts as activity too
    spoke = loop.time()
    await until(lambda: (host.rooms.expiry.deadline_of(session_id) or said) > said)
    for peer in (a, b):
        assert (await peer.wait_for("session_ended"))["reason"] == "timeout"
    assert loop.time() - spoke >= 0.9
    await until(lambda: host.store.files() == [])


async def test_a_timeout_frees_the_slot_for_the_first_in_line(serve: Serve) -> None:
    _, clients = await serve(idle_timeout=1, queue=True)
    a, _ = await clients.pair()
    c = await clients.new("c")
    await c.emit("join", {"room": "matchmaking", "profile": {"name": "Cat"}})
    assert (await c.wait_for("queued"))["position"] == 1
    assert (await a.wait_for("session_ended"))["reason"] == "timeout"
    assert (await c.wait_for("session_info"))["role"] == "A"


async def test_lines_and_speech_do_not_make_the_timer_look_at_every_session(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines and speech only put deadlines off: the timer neither scans all sessions for
    them (that cost grew with the number of pairs) nor misses a deadline made nearer."""
    host, clients = await serve(max_pairs=5, idle_timeout=1.5, grace_seconds=0)
    pairs = [await clients.pair() for _ in range(3)]
    scans: list[int] = []
    real = host.rooms.expiry.next_deadline
    monkeypatch.setattr(host.rooms.expiry, "next_deadline", lambda: scans.append(1) or real())
    a, b = pairs[0]
    for n in range(30):
        await a.emit("audio_activity", {"speaking": n % 2 == 0})
        await a.emit("transcript_update", {"text": f"line {n}"})
    await b.wait_for("transcript_update", 30)
    assert scans == []
    # the quiet pairs still end on time, the talking one a moment later
    for quiet in (pairs[1][0], pairs[2][0]):
        assert (await quiet.wait_for("session_ended", timeout=5))["reason"] == "timeout"
    assert (await a.wait_for("session_ended", timeout=5))["reason"] == "timeout"
