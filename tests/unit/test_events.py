"""Core events say what changed; nothing copies or serialises the session to publish one."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from heartlink_desktop.core import Event, Rooms, parse_profile
from heartlink_desktop.core.session import Session

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_no_event_copies_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole conversation (join, lines, speaking, phase, reclaim, end) publishes every event
    without one call of Session.to_dict or deepcopy: the old core deep-copied the session into
    every event, so each message cost more as the transcript grew."""
    rooms = Rooms(max_pairs=2, grace_seconds=30, queue=True)
    events: list[Event] = []
    rooms.subscribe(events.append)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an event was built from a copy of the session")

    monkeypatch.setattr(Session, "to_dict", forbidden)
    monkeypatch.setattr(copy, "deepcopy", forbidden)
    rooms.join("a", parse_profile({"name": "Alice"}), at(0))
    rooms.join("b", parse_profile({"name": "Bob"}), at(1))
    sid = rooms.sessions[0].session_id
    for n in range(200):
        rooms.talk.set_speaking("a", True, at(2 + n))
        rooms.talk.set_speaking("a", False, at(2 + n))
        rooms.talk.add_line("a" if n % 2 else "b", f"line {n}", at(2 + n))
    rooms.talk.add_interjection(sid, "A question?", at(300))
    rooms.talk.set_phase(sid, "deep_dive", at(301))
    rooms.drop("a", at(302))
    secret = rooms.sessions[0].resume["A"]
    rooms.reclaim(secret, "a2", at(303))
    rooms.join_or_queue("c", parse_profile({"name": "Cat"}), at(304))
    rooms.leave("b", at(305), summary="fine")
    assert len(events) > 600

    fields = {f.name for f in dataclasses.fields(Event)}
    assert fields == {"kind", "session_id", "data"}
    lines = [e for e in events if e.kind == "transcript"]
    assert len(lines) == 201
    assert all(set(e.data) == {"entry"} for e in lines)  # the new line, and only it
    assert lines[-1].data["entry"]["text"] == "A question?"
    speaking = [e.data for e in events if e.kind == "audio"]
    assert speaking[:2] == [{"role": "A", "speaking": True}, {"role": "A", "speaking": False}]


def test_a_snapshot_is_made_on_request_with_or_without_the_transcript() -> None:
    rooms = Rooms()
    rooms.join("a", parse_profile({"name": "Alice"}), at(0))
    rooms.join("b", parse_profile({"name": "Bob"}), at(1))
    sid = rooms.sessions[0].session_id
    rooms.talk.add_line("a", "hello", at(2))
    whole = rooms.snapshot(sid)
    head = rooms.snapshot(sid, transcript=False)
    assert whole is not None and head is not None
    assert [e["text"] for e in whole["transcript"]] == ["hello"]
    assert "transcript" not in head and head["status"] == "active"
    assert {k: v for k, v in whole.items() if k != "transcript"} == head
    whole["transcript"][0]["text"] = "changed"  # a copy: the session keeps its line
    assert rooms.sessions[0].transcript[0]["text"] == "hello"
    assert rooms.snapshot("session_19990101_000000") is None
