"""The pure matchmaking core: lifecycle, pairing order, limits, events; a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from heartlink_desktop.core import CoreError, Event, Rooms, parse_profile
from heartlink_desktop.core.vocab import PHASES

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)


def p(name: str, **more: object):  # type: ignore[no-untyped-def]
    return parse_profile({"name": name, **more})


class Recorder:
    def __init__(self, rooms: Rooms) -> None:
        self.events: list[Event] = []
        rooms.subscribe(self.events.append)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


def test_lifecycle_waiting_active_ended_deleted() -> None:
    rooms = Rooms()
    rec = Recorder(rooms)
    first = rooms.join("s1", p("Alice"), T0)
    assert first.role == "A" and first.peer is None
    assert first.session.session_id == "session_20261125_210000"
    assert first.session.status == "waiting" and first.session.phase == "waiting"
    second = rooms.join("s2", p("Bob"), T0 + timedelta(seconds=5))
    assert second.role == "B" and second.session is first.session
    assert second.peer == {
        "id": "s1",
        "role": "A",
        "profile": {"name": "Alice", "hobbies": [], "interests": []},
        "line": "",
    }
    assert first.session.status == "active" and first.session.phase == "icebreaker"
    assert rec.kinds() == ["created", "joined", "joined", "phase"]
    rooms.leave("s1", T0 + timedelta(seconds=60), summary="short")
    assert rec.kinds()[-3:] == ["left", "ended", "deleted"]
    ended = rec.events[-2]
    assert ended.data == {"reason": "peer_left", "summary": "short", "sids": ["s1", "s2"]}
    record = first.session.to_dict()  # the ended session, as the caller holds it
    assert record["status"] == "ended" and record["summary"] == "short"
    assert record["ended_at"] == (T0 + timedelta(seconds=60)).isoformat()
    assert rooms.snapshot(first.session.session_id) is None
    assert rooms.sessions == [] and rooms.locate("s1") is None and rooms.locate("s2") is None


def test_third_person_is_refused_with_max_pairs_one() -> None:
    rooms = Rooms()
    rooms.join("a", p("A"), T0)
    rooms.join("b", p("B"), T0)
    rec = Recorder(rooms)
    with pytest.raises(CoreError) as err:
        rooms.join("c", p("C"), T0)
    assert err.value.code == "session_full"
    assert "2 users max" in err.value.message
    assert err.value.details == {"max_pairs": 1, "active_sessions": 1}
    assert rooms.locate("c") is None and rec.events == []


def test_newcomer_joins_oldest_waiting_session_then_opens_new_ones() -> None:
    rooms = Rooms(max_pairs=3)
    rooms.join("a1", p("A1"), T0)
    rooms.join("b1", p("B1"), T0)
    s2 = rooms.join("a2", p("A2"), T0).session
    s3 = rooms.join("a3", p("A3"), T0 + timedelta(seconds=1))  # s2 is waiting: joins it
    assert s3.session is s2 and s3.role == "B"
    s4 = rooms.join("a4", p("A4"), T0 + timedelta(seconds=2)).session
    assert s4.status == "waiting"
    assert rooms.join("x", p("X"), T0).session is s4  # the waiting one is filled first
    with pytest.raises(CoreError, match="6 users max"):
        rooms.join("y", p("Y"), T0)


def test_waiting_session_is_filled_before_the_limit_applies() -> None:
    rooms = Rooms(max_pairs=2)
    rooms.join("a1", p("A1"), T0)
    rooms.join("b1", p("B1"), T0)
    s2 = rooms.join("a2", p("A2"), T0).session
    joined = rooms.join("b2", p("B2"), T0)
    assert joined.session is s2 and joined.role == "B"
    with pytest.raises(CoreError) as err:
        rooms.join("c", p("C"), T0)
    assert err.value.details == {"max_pairs": 2, "active_sessions": 2}
    assert "4 users max" in err.value.message


def test_session_ids_are_unique_within_one_second() -> None:
    rooms = Rooms(max_pairs=3)
    ids = [rooms.join(f"s{i}", p("X"), T0).session.session_id for i in (1,)]
    rooms.join("s2", p("Y"), T0)
    ids.append(rooms.join("s3", p("Z"), T0).session.session_id)
    rooms.join("s4", p("W"), T0)
    ids.append(rooms.join("s5", p("V"), T0).session.session_id)
    assert ids == ["session_20261125_210000", "session_20261125_210000_2", "session_20261125_210000_3"]


def test_transcript_speaker_is_the_role() -> None:
    rooms = Rooms()
    rooms.join("a", p("Alice"), T0)
    with pytest.raises(CoreError) as err:
        rooms.talk.add_line("a", "anyone?", T0)
    assert err.value.code == "not_active"
    rooms.join("b", p("Bob"), T0)
    entry = rooms.talk.add_line("b", "  hello\n there ", T0 + timedelta(seconds=3))
    assert entry == {
        "speaker": "B",
        "name": "Bob",
        "text": "hello there",
        "timestamp": (T0 + timedelta(seconds=3)).isoformat(),
    }
    session, _ = rooms.require("a")
    assert session.last_activity == T0 + timedelta(seconds=3)
    for bad, code in (
        (None, "invalid_payload"),
        ("   ", "invalid_payload"),
        (5, "invalid_payload"),
        ("x" * 2001, "line_too_long"),
    ):
        with pytest.raises(CoreError) as e:
            rooms.talk.add_line("a", bad, T0)
        assert e.value.code == code
    assert len(session.transcript) == 1
    with pytest.raises(CoreError) as e:
        rooms.talk.add_line("stranger", "hi", T0)
    assert e.value.code == "not_in_session"


def test_signaling_target_must_be_the_partner() -> None:
    rooms = Rooms(max_pairs=2)
    for sid in ("a1", "b1", "a2", "b2"):
        rooms.join(sid, p(sid), T0)
    assert rooms.talk.check_target("b1", "a1") == "a1"
    for sender, target in (("b1", "a2"), ("b1", "b1"), ("b1", None), ("zz", "a1"), ("a1", ["b1"])):
        with pytest.raises(CoreError) as err:
            rooms.talk.check_target(sender, target)
        assert err.value.code == "invalid_target"


def test_spiciness_a_peer_may_lower_never_raise() -> None:
    rooms = Rooms(spiciness=3)
    s = rooms.join("a", p("A", spice_level=4), T0).session
    assert s.spiciness == 3
    rooms.join("b", p("B", spice_level=1), T0)
    assert s.spiciness == 1 and s.to_dict()["agent"] == {"id": "janitor_01", "spiciness": 1}
    rooms.talk.set_spiciness(2)
    assert s.spiciness == 1


def test_phase_and_interjection() -> None:
    rooms = Rooms()
    rooms.join("a", p("A"), T0)
    s = rooms.join("b", p("B"), T0).session
    rec = Recorder(rooms)
    rooms.talk.set_phase(s.session_id, "deep_dive", T0)
    assert s.phase == "deep_dive" and rec.events[-1].data == {"phase": "deep_dive"}
    with pytest.raises(CoreError):
        rooms.talk.set_phase(s.session_id, "flirting", T0)
    entry = rooms.talk.add_interjection(s.session_id, "What made you smile today?", T0, source="builtin")
    assert entry["speaker"] == "AI" and s.transcript[-1] is entry
    assert set(PHASES) == {"waiting", "icebreaker", "deep_dive", "decision"}


def test_host_end_and_end_all() -> None:
    rooms = Rooms(max_pairs=2)
    for sid in ("a1", "b1", "a2"):
        rooms.join(sid, p(sid), T0)
    rec = Recorder(rooms)
    ended = rooms.end_all("reset", T0)
    assert [e.end_reason for e in ended] == ["reset", "reset"]
    assert rec.kinds() == ["ended", "deleted", "ended", "deleted"]
    assert rooms.sessions == []
    with pytest.raises(CoreError) as err:
        rooms.end(ended[0].session_id, "host_ended", T0)
    assert err.value.code == "unknown_session"
    again = rooms.join("a1", p("a1"), T0)  # the same sockets may join again
    assert again.role == "A"


def test_join_twice_is_refused() -> None:
    rooms = Rooms()
    rooms.join("a", p("A"), T0)
    with pytest.raises(CoreError) as err:
        rooms.join("a", p("A"), T0)
    assert err.value.code == "already_joined"


class RoomsMachine(RuleBasedStateMachine):
    """Any sequence of joins, lines, leaves and host ends keeps the rooms consistent."""

    def __init__(self) -> None:
        super().__init__()
        self.max_pairs = 2
        self.rooms = Rooms(max_pairs=self.max_pairs)
        self.now = T0
        self.events: list[Event] = []
        self.rooms.subscribe(self.events.append)
        self.next_sid = 0
        self.refused = 0

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    @rule()
    def join(self) -> None:
        self.next_sid += 1
        sid = f"s{self.next_sid}"
        full_before = not self.rooms.has_room()
        try:
            self.rooms.join(sid, p(sid), self.tick())
        except CoreError as err:
            assert err.code == "session_full" and full_before
            self.refused += 1
        else:
            assert not full_before

    @precondition(lambda self: self.rooms.sessions)
    @rule(data=st.data())
    def leave(self, data: st.DataObject) -> None:
        session = data.draw(st.sampled_from(self.rooms.sessions))
        sid = data.draw(st.sampled_from(session.sids()))
        self.rooms.leave(sid, self.tick())
        assert self.rooms.locate(sid) is None

    @precondition(lambda self: self.rooms.sessions)
    @rule(data=st.data(), text=st.text(min_size=1, max_size=30))
    def say(self, data: st.DataObject, text: str) -> None:
        session = data.draw(st.sampled_from(self.rooms.sessions))
        sid = data.draw(st.sampled_from(session.sids()))
        before = len(session.transcript)
        try:
            self.rooms.talk.add_line(sid, text, self.tick())
        except CoreError:
            assert len(session.transcript) == before
        else:
            assert session.transcript[-1]["speaker"] == session.role_of(sid)

    @precondition(lambda self: self.rooms.sessions)
    @rule(data=st.data())
    def host_end(self, data: st.DataObject) -> None:
        session = data.draw(st.sampled_from(self.rooms.sessions))
        self.rooms.end(session.session_id, "host_ended", self.tick())

    @invariant()
    def consistent(self) -> None:
        live = self.rooms.sessions
        assert len(live) <= self.max_pairs
        assert sum(s.status == "waiting" for s in live) <= 1
        seen: set[str] = set()
        for s in live:
            if s.status == "waiting":
                assert s.participants["A"] and s.participants["B"] is None and s.phase == "waiting"
            else:
                assert s.status == "active" and all(s.participants.values())
            for sid in s.sids():
                assert sid not in seen
                seen.add(sid)
                assert self.rooms.locate(sid) == (s, s.role_of(sid))
        assert [s.created_at for s in live] == sorted(s.created_at for s in live)
        # every session that was created was deleted exactly once, or is live
        created = {e.session_id for e in self.events if e.kind == "created"}
        deleted = [e.session_id for e in self.events if e.kind == "deleted"]
        assert len(deleted) == len(set(deleted))
        assert created == set(deleted) | {s.session_id for s in live}


TestRoomsMachine = RoomsMachine.TestCase
TestRoomsMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)


def test_an_id_an_earlier_run_still_answers_to_is_never_given_again() -> None:
    rooms = Rooms()
    rooms.id_taken = lambda session_id: session_id == "session_20261125_210000"
    assert rooms.join("a", p("Ann"), T0).session.session_id == "session_20261125_210000_2"
