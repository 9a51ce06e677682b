"""Sessions end by themselves: waiting too long for a partner, or idle too long (fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from heartlink_desktop.core import Event, Rooms, parse_profile

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def p(name: str):  # type: ignore[no-untyped-def]
    return parse_profile({"name": name})


def rooms_and_events(**opts: object) -> tuple[Rooms, list[Event]]:
    rooms = Rooms(waiting_timeout=900, idle_timeout=600, **opts)  # type: ignore[arg-type]
    events: list[Event] = []
    rooms.subscribe(events.append)
    return rooms, events


def test_no_timeouts_no_deadline() -> None:
    rooms = Rooms()
    rooms.join("a", p("A"), T0)
    assert rooms.expiry.next_deadline() is None and rooms.expiry.due(at(10**6)) == []


def test_waiting_timeout() -> None:
    rooms, events = rooms_and_events()
    assert rooms.expiry.next_deadline() is None
    session = rooms.join("a", p("A"), T0).session
    assert rooms.expiry.next_deadline() == at(900)
    assert rooms.expiry.due(at(899.9)) == [] and rooms.expiry.expire(at(899.9)) == []
    [due] = rooms.expiry.due(at(900))
    assert (due.session_id, due.reason, due.role) == (session.session_id, "timeout", None)
    [ended] = rooms.expiry.expire(at(900))
    assert ended is session and ended.end_reason == "timeout"
    assert [e.kind for e in events[-2:]] == ["ended", "deleted"]  # no one "left"
    assert events[-2].data == {"reason": "timeout", "summary": "", "sids": ["a"]}
    assert rooms.sessions == [] and rooms.expiry.next_deadline() is None


def test_pairing_switches_to_the_idle_timeout() -> None:
    rooms, _ = rooms_and_events()
    rooms.join("a", p("A"), T0)
    rooms.join("b", p("B"), at(850))
    assert rooms.expiry.next_deadline() == at(1450)  # 600 s after the pair formed, not 900 after A came
    assert rooms.expiry.due(at(900)) == []


def test_idle_timeout_is_put_off_by_lines_and_speech_not_by_the_facilitator() -> None:
    rooms, _ = rooms_and_events()
    rooms.join("a", p("A"), T0)
    session = rooms.join("b", p("B"), T0).session
    rooms.talk.add_line("a", "hi", at(100))
    assert rooms.expiry.next_deadline() == at(700)
    rooms.talk.set_speaking("b", True, at(200))
    assert rooms.expiry.next_deadline() == at(800)
    rooms.talk.add_interjection(session.session_id, "What made you laugh this week?", at(500))
    rooms.talk.set_phase(session.session_id, "deep_dive", at(500))
    assert rooms.expiry.next_deadline() == at(800)
    assert rooms.expiry.due(at(799)) == []
    [ended] = rooms.expiry.expire(at(800), {session.session_id: "Two people said hi."})
    assert ended.end_reason == "timeout" and ended.summary == "Two people said hi."


def test_earliest_reason_wins_and_each_session_is_due_once() -> None:
    rooms, _ = rooms_and_events(max_pairs=2, grace_seconds=30)
    rooms.join("a1", p("A1"), T0)
    rooms.join("b1", p("B1"), T0)
    rooms.join("a2", p("A2"), at(10))
    rooms.drop("a1", at(590))  # held until 620, but the idle timeout comes at 600
    assert rooms.expiry.next_deadline() == at(600)
    due = rooms.expiry.due(at(1000))
    assert [(d.reason, d.role) for d in due] == [("timeout", None), ("timeout", None)]
    rooms2, _ = rooms_and_events(grace_seconds=30)
    rooms2.join("a", p("A"), T0)
    rooms2.join("b", p("B"), T0)
    rooms2.drop("b", at(100))
    [d] = rooms2.expiry.due(at(130))
    assert (d.reason, d.role, d.sid) == ("peer_disconnected", "B", "b")


def test_expire_at_a_later_time_catches_up_with_everything_due() -> None:
    rooms, _ = rooms_and_events(max_pairs=3)
    rooms.join("a1", p("A1"), T0)
    rooms.join("b1", p("B1"), T0)
    rooms.join("a2", p("A2"), at(1))
    rooms.join("b2", p("B2"), at(1))
    rooms.talk.add_line("a2", "still talking", at(500))
    rooms.join("a3", p("A3"), at(2))
    ended = rooms.expiry.expire(at(905))  # pair 1 idle since 0, A3 waiting since 2; pair 2 spoke at 500
    assert sorted(s.participants["A"] or "" for s in ended) == ["a1", "a3"]
    assert [s.participants["A"] for s in rooms.sessions] == ["a2"]
    assert rooms.expiry.next_deadline() == at(1100)


def test_the_deadline_of_one_session() -> None:
    rooms, _ = rooms_and_events(max_pairs=2, grace_seconds=30)
    first = rooms.join("a", p("A"), T0).session
    rooms.join("b", p("B"), at(10))
    second = rooms.join("c", p("C"), at(20)).session
    assert rooms.expiry.deadline_of(first.session_id) == at(610)  # idle, from the pairing
    assert rooms.expiry.deadline_of(second.session_id) == at(920)  # still waiting for a partner
    rooms.drop("a", at(30))
    assert rooms.expiry.deadline_of(first.session_id) == at(60)  # the held slot's grace comes first
    assert rooms.expiry.next_deadline() == at(60)
    assert rooms.expiry.deadline_of("session_19990101_000000") is None


EPS = timedelta(microseconds=1)  # the clock's resolution: one tick before a deadline


def test_an_idle_pair_ends_exactly_idle_seconds_after_its_last_line_or_speech() -> None:
    """What the integration test once waited two wall-clock seconds to show: not ended a second
    after pairing, nor at the put-off deadline less a tick; ended at it."""
    rooms = Rooms(idle_timeout=1.5)
    rooms.join("a", p("A"), T0)
    session = rooms.join("b", p("B"), T0).session
    assert rooms.expiry.due(at(1)) == [] and rooms.expiry.due(at(1.5) - EPS) == []
    rooms.talk.add_line("a", "still here", at(1))  # the line puts it off
    assert rooms.expiry.deadline_of(session.session_id) == at(2.5)
    assert rooms.expiry.due(at(1.5)) == [] and rooms.expiry.due(at(2.5) - EPS) == []
    rooms.talk.set_speaking("a", True, at(2))  # speech counts as activity too
    assert rooms.expiry.deadline_of(session.session_id) == at(3.5)
    assert rooms.expiry.due(at(2.5)) == [] and rooms.expiry.expire(at(3.5) - EPS) == []
    [ended] = rooms.expiry.expire(at(3.5))
    assert ended is session and ended.end_reason == "timeout"
