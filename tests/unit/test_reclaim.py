"""Holding a slot for a socket that went away, and reclaiming it with the resume secret."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.core import CoreError, Event, Rooms, parse_profile

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)
GRACE = 30


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def rooms_with_pair(**opts: object) -> tuple[Rooms, list[Event]]:
    counter = itertools.count(1)
    rooms = Rooms(grace_seconds=GRACE, secret=lambda: f"secret-{next(counter)}", **opts)  # type: ignore[arg-type]
    events: list[Event] = []
    rooms.subscribe(events.append)
    rooms.join("a", parse_profile({"name": "Alice"}), T0)
    rooms.join("b", parse_profile({"name": "Bob"}), T0)
    rooms.talk.add_line("a", "hello", at(1))
    return rooms, events


def refused(rooms: Rooms, secret: object, sid: str, now: datetime) -> None:
    with pytest.raises(CoreError) as err:
        rooms.reclaim(secret, sid, now)
    assert err.value.code == "invalid_resume"


def test_each_participant_gets_its_own_secret() -> None:
    rooms, _ = rooms_with_pair()
    assert rooms.secret_of("a") == "secret-1" and rooms.secret_of("b") == "secret-2"
    assert rooms.secret_of("stranger") is None
    assert "resume" not in rooms.sessions[0].to_dict()  # never written to the session file
    assert "secret-1" not in repr(rooms.sessions[0])


def test_default_secrets_are_long_and_distinct() -> None:
    rooms = Rooms(grace_seconds=GRACE)
    rooms.join("a", parse_profile({"name": "A"}), T0)
    rooms.join("b", parse_profile({"name": "B"}), T0)
    a, b = rooms.secret_of("a"), rooms.secret_of("b")
    assert a and b and a != b and len(a) >= 22 and len(b) >= 22  # >= 128 bits of base64


def test_reclaim_inside_the_grace_keeps_session_role_and_transcript() -> None:
    rooms, events = rooms_with_pair()
    session = rooms.sessions[0]
    assert rooms.drop("a", at(10)) is True
    drop = events[-1]
    assert drop.kind == "peer_status"
    assert drop.data == {"role": "A", "state": "reconnecting", "sid": "a", "until": at(40).isoformat()}
    held = rooms.snapshot(session.session_id)
    assert held is not None and held["reconnecting"] == {"A": at(40).isoformat()}
    assert rooms.locate("a") is None and session.participants["A"] == "a"  # held, not freed
    assert rooms.partner("b") == "a"
    with pytest.raises(CoreError):  # the gone socket cannot act
        rooms.talk.add_line("a", "ghost", at(11))

    back = rooms.reclaim("secret-1", "a2", at(39.9))
    assert back.session is session and back.role == "A"
    assert back.peer == {
        "id": "b",
        "role": "B",
        "profile": {"name": "Bob", "hobbies": [], "interests": []},
        "line": "",
    }
    assert session.participants == {"A": "a2", "B": "b"} and session.reconnecting == {}
    assert [e["text"] for e in session.transcript] == ["hello"]
    assert events[-1].kind == "peer_status"
    assert events[-1].data == {"role": "A", "state": "connected", "sid": "a2", "old_sid": "a"}
    assert rooms.secret_of("a2") == "secret-3"  # a fresh secret for the next blip
    assert rooms.locate("a2") == (session, "A") and rooms.partner("b") == "a2"
    assert rooms.talk.check_target("b", "a2") == "a2"
    rooms.talk.add_line("a2", "back", at(41))
    assert session.transcript[-1]["speaker"] == "A"
    assert rooms.expiry.next_deadline() is None and rooms.expiry.due(at(1000)) == []  # nothing held any more


def test_reclaim_outside_the_grace_is_refused() -> None:
    rooms, _ = rooms_with_pair()
    rooms.drop("a", at(10))
    refused(rooms, "secret-1", "a2", at(40))  # the grace ran out exactly now
    refused(rooms, "secret-1", "a2", at(500))
    assert rooms.locate("a2") is None


def test_double_reclaim_is_refused() -> None:
    rooms, _ = rooms_with_pair()
    rooms.drop("a", at(10))
    rooms.reclaim("secret-1", "a2", at(11))
    refused(rooms, "secret-1", "a3", at(12))  # used
    rooms.drop("a2", at(20))
    refused(rooms, "secret-1", "a3", at(21))  # still used after the next blip
    assert rooms.reclaim("secret-3", "a3", at(22)).role == "A"


def test_wrong_secret_and_other_slots_secret_are_refused() -> None:
    rooms, events = rooms_with_pair()
    rooms.drop("a", at(10))
    before = len(events)
    for wrong in ("", "secret-", "secret-11", "SECRET-1", None, 1, ["secret-1"]):
        refused(rooms, wrong, "x", at(11))
    refused(rooms, "secret-2", "x", at(11))  # B's secret: B's socket is here, A's slot is not B's
    assert len(events) == before and rooms.sessions[0].participants == {"A": "a", "B": "b"}
    assert rooms.reclaim("secret-1", "x", at(12)).role == "A"


def test_a_connected_slot_cannot_be_taken() -> None:
    rooms, _ = rooms_with_pair()
    with pytest.raises(CoreError) as err:
        rooms.reclaim("secret-1", "early", at(5))
    # refused, and marked so the server may wait a moment for the old socket to close
    assert err.value.code == "invalid_resume" and err.value.details == {"in_use": True}
    assert rooms.locate("a") is not None and rooms.locate("early") is None
    rooms.drop("a", at(6))
    assert rooms.reclaim("secret-1", "early", at(6)).role == "A"


def test_secret_is_dead_after_the_session_ended() -> None:
    rooms, events = rooms_with_pair()
    rooms.drop("a", at(10))
    rooms.leave("b", at(11))
    assert events[-2].kind == "ended" and set(events[-2].data["sids"]) == {"a", "b"}
    refused(rooms, "secret-1", "a2", at(12))
    refused(rooms, "secret-2", "b2", at(12))


def test_grace_expiry_ends_the_session_as_a_disconnect() -> None:
    rooms, events = rooms_with_pair()
    rooms.drop("a", at(10))
    assert rooms.expiry.next_deadline() == at(40)
    assert rooms.expiry.due(at(39)) == [] and rooms.expiry.expire(at(39)) == []
    [due] = rooms.expiry.due(at(40))
    assert (due.reason, due.role, due.sid) == ("peer_disconnected", "A", "a")
    [ended] = rooms.expiry.expire(at(40), {due.session_id: "They said hello."})
    assert ended.end_reason == "peer_disconnected" and ended.summary == "They said hello."
    assert [e.kind for e in events[-3:]] == ["left", "ended", "deleted"]
    assert events[-3].data == {"sid": "a", "role": "A"}
    assert rooms.sessions == [] and rooms.locate("b") is None
    refused(rooms, "secret-1", "a2", at(41))


def test_both_away_either_may_come_back() -> None:
    rooms, _ = rooms_with_pair()
    rooms.drop("a", at(10))
    rooms.drop("b", at(20))
    assert rooms.expiry.next_deadline() == at(40)
    back = rooms.reclaim("secret-2", "b2", at(25))
    assert back.role == "B" and back.session.reconnecting == {"A": at(40)}
    [due] = rooms.expiry.due(at(40))
    assert due.role == "A"


def test_waiting_session_is_held_and_can_be_joined_meanwhile() -> None:
    counter = itertools.count(1)
    rooms = Rooms(grace_seconds=GRACE, secret=lambda: f"s{next(counter)}")
    rooms.join("a", parse_profile({"name": "Alice"}), T0)
    rooms.drop("a", at(5))
    joined = rooms.join("b", parse_profile({"name": "Bob"}), at(6))
    assert joined.role == "B" and joined.session.status == "active"
    back = rooms.reclaim("s1", "a2", at(7))
    assert back.session.status == "active" and back.peer is not None and back.peer["id"] == "b"


def test_no_grace_no_hold() -> None:
    rooms = Rooms()  # grace 0: a disconnect ends the session (the caller does it)
    rooms.join("a", parse_profile({"name": "A"}), T0)
    assert rooms.secret_of("a") is None
    assert rooms.drop("a", at(1)) is False and rooms.locate("a") is not None
    refused(rooms, rooms.sessions[0].resume["A"], "a2", at(2))
    assert rooms.drop("nobody", at(1)) is False
