"""The line of newcomers: first come, first served, under joins, leaves and endings; and who
sits with whom: the compatible, not blocked person who waited longest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.core import CoreError, Event, JoinResult, Queued, Rooms, parse_profile, vocab
from heartlink_desktop.core.compat import compatible
from heartlink_desktop.core.safety import Safety
from heartlink_desktop.core.vocab import NOBODY_TO_MEET
from heartlink_desktop.core.waitlist import (
    KeepWaiting,
    OpenAlone,
    SitWith,
    Waiting,
    Waitlist,
    meeting_rule,
    nobody_to_meet,
    place,
)

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)


def p(name: str):  # type: ignore[no-untyped-def]
    return parse_profile({"name": name})


def queue_events(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "queue"]


def full_rooms(max_pairs: int = 1) -> tuple[Rooms, list[Event]]:
    rooms = Rooms(max_pairs=max_pairs, queue=True, grace_seconds=30)
    events: list[Event] = []
    rooms.subscribe(events.append)
    for n in range(max_pairs):
        rooms.join(f"a{n}", p(f"A{n}"), T0)
        rooms.join(f"b{n}", p(f"B{n}"), T0)
    assert not rooms.has_room()
    return rooms, events


def test_newcomers_are_queued_in_arrival_order() -> None:
    rooms, events = full_rooms()
    assert rooms.join_or_queue("c", p("Cat"), T0) == Queued(1)
    assert Queued(1).ahead == 0 and Queued(3).ahead == 2
    assert rooms.join_or_queue("d", p("Dan"), T0 + timedelta(seconds=1)) == Queued(2)
    last = queue_events(events)[-1]
    assert last.session_id == ""
    assert last.data["moved"] == ["d"] and last.data["removed"] == []
    assert last.data["line"] == [
        {"sid": "c", "name": "Cat", "position": 1, "since": T0.isoformat()},
        {"sid": "d", "name": "Dan", "position": 2, "since": (T0 + timedelta(seconds=1)).isoformat()},
    ]
    assert [w.sid for w in rooms.line] == ["c", "d"] and rooms.position("d") == 2 and rooms.position("x") == 0
    with pytest.raises(CoreError) as err:
        rooms.join_or_queue("c", p("Cat"), T0)
    assert err.value.code == "already_queued"
    with pytest.raises(CoreError) as err:
        rooms.join_or_queue("a0", p("A0"), T0)
    assert err.value.code == "already_joined"
    with pytest.raises(CoreError) as err:  # plain join never queues, nor jumps the line
        rooms.join("e", p("Eva"), T0)
    assert err.value.code == "session_full" and rooms.position("e") == 0


def test_leaving_the_line_moves_those_behind_up() -> None:
    rooms, events = full_rooms()
    for sid in "cdef":
        rooms.join_or_queue(sid, p(sid), T0)
    assert rooms.leave_line("d") is True
    last = queue_events(events)[-1]
    assert last.data["removed"] == [{"sid": "d", "reason": "left"}]
    assert last.data["moved"] == ["e", "f"]  # c did not move
    assert rooms.leave_line("f", reason="gone") is True
    assert queue_events(events)[-1].data["moved"] == []
    assert rooms.leave_line("f") is False and rooms.leave_line("nobody") is False
    assert [w.sid for w in rooms.line] == ["c", "e"]


def test_a_freed_slot_goes_to_the_first_in_line() -> None:
    rooms, events = full_rooms(max_pairs=2)
    for sid in ("c", "d", "e"):
        rooms.join_or_queue(sid, p(sid), T0)
    mark = len(events)
    rooms.leave("a0", T0 + timedelta(seconds=5))
    # c and d make the new pair (c waits as A, d joins it as B); e moves to the front
    kinds = [e.kind for e in events[mark:]]
    assert kinds == ["left", "ended", "deleted", "created", "joined", "joined", "phase", "queue"]
    c_session, c_role = rooms.require("c")
    assert c_role == "A" and rooms.require("d") == (c_session, "B") and c_session.status == "active"
    last = queue_events(events)[-1]
    assert last.data["removed"] == [{"sid": "c", "reason": "paired"}, {"sid": "d", "reason": "paired"}]
    assert last.data["moved"] == ["e"] and [w.sid for w in rooms.line] == ["e"]
    assert rooms.secret_of("c") and rooms.secret_of("d")


def test_one_freed_seat_in_a_waiting_session_goes_to_the_first_in_line() -> None:
    rooms = Rooms(max_pairs=1, queue=True)
    rooms.join_or_queue("a", p("A"), T0)
    rooms.join_or_queue("b", p("B"), T0)
    rooms.join_or_queue("c", p("C"), T0)
    rooms.end(rooms.sessions[0].session_id, "host_ended", T0)
    assert rooms.require("c")[1] == "A" and rooms.line == []
    # with a waiting session and an empty line, the next comer is seated at once
    seated = rooms.join_or_queue("d", p("D"), T0)
    assert isinstance(seated, JoinResult) and seated.role == "B"


def test_a_held_slot_is_not_free() -> None:
    rooms, _ = full_rooms()
    rooms.join_or_queue("c", p("C"), T0)
    rooms.drop("a0", T0)
    assert [w.sid for w in rooms.line] == ["c"] and rooms.locate("c") is None


def test_queue_off_refuses_with_session_full() -> None:
    rooms = Rooms(max_pairs=1)
    rooms.join_or_queue("a", p("A"), T0)
    rooms.join_or_queue("b", p("B"), T0)
    with pytest.raises(CoreError) as err:
        rooms.join_or_queue("c", p("C"), T0)
    assert err.value.code == "session_full" and rooms.line == []


def test_end_all_clears_the_line_first() -> None:
    rooms, events = full_rooms()
    rooms.join_or_queue("c", p("C"), T0)
    rooms.end_all("reset", T0)
    assert rooms.sessions == [] and rooms.line == [] and rooms.locate("c") is None
    cleared = queue_events(events)[-1]
    assert cleared.data["removed"] == [{"sid": "c", "reason": "cleared"}]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["join", "leave_line", "end"]), st.integers(0, 9)), max_size=40))
def test_first_come_first_served_under_any_joins_and_leaves(steps: list[tuple[str, int]]) -> None:
    """Whoever is seated from the line was the earliest arrival still waiting."""
    rooms = Rooms(max_pairs=2, queue=True)
    arrivals: list[str] = []  # everyone still in line, in arrival order (the model)
    seated: list[str] = []
    rooms.subscribe(
        lambda e: (
            seated.extend(r["sid"] for r in e.data["removed"] if r["reason"] == "paired")
            if e.kind == "queue"
            else None
        )
    )
    n = 0
    for action, k in steps:
        if action == "join":
            n += 1
            sid = f"s{n}"
            result = rooms.join_or_queue(sid, p(sid), T0)
            if isinstance(result, Queued):
                arrivals.append(sid)
                assert result.position == len(arrivals)
        elif action == "leave_line" and arrivals:
            sid = arrivals.pop(k % len(arrivals))
            assert rooms.leave_line(sid)
        elif action == "end" and rooms.sessions:
            before = len(seated)
            rooms.end(rooms.sessions[k % len(rooms.sessions)].session_id, "host_ended", T0)
            newly = seated[before:]
            assert newly == arrivals[: len(newly)]
            del arrivals[: len(newly)]
        assert [w.sid for w in rooms.line] == arrivals
        assert not arrivals or not rooms.has_room()  # nobody waits while a slot is free


# -- who sits with whom: the compatible person who waited longest, never a blocked pair ------


def w(sid: str, gender: str | None = None, meet: list[str] | None = None, at: int = 0) -> Waiting:
    raw: dict[str, object] = {"name": sid}
    if gender:
        raw["gender"] = gender
    if meet:
        raw["meet"] = meet
    return Waiting(sid, parse_profile(raw), T0 + timedelta(seconds=at))


PREFS = meeting_rule("preferences")


def test_a_newcomer_sits_with_the_compatible_person_who_waited_longest() -> None:
    alone = [w("w1", "woman", ["women"], 1), w("m1", "man", ["women"], 2), w("m2", "man", ["women"], 3)]
    newcomer = w("w2", "woman", ["men"], 9)
    assert place([newcomer], alone, 0, PREFS) == [SitWith(newcomer, alone[1])]
    # the order of arrival counts, not the order the caller lists them in
    assert place([newcomer], alone[::-1], 0, PREFS) == [SitWith(newcomer, alone[1])]
    # with everyone meeting everyone (or the host's "everyone" mode) it is today's rule
    assert place([newcomer], alone, 0) == [SitWith(newcomer, alone[0])]
    assert place([newcomer], alone, 0, meeting_rule("everyone")) == [SitWith(newcomer, alone[0])]


def test_a_newcomer_nobody_waiting_can_meet_opens_a_conversation_or_waits_in_line() -> None:
    alone = [w("m1", "man", ["men"])]
    newcomer = w("w1", "woman", ["men"], 5)
    assert place([newcomer], alone, 1, PREFS) == [OpenAlone(newcomer, NOBODY_TO_MEET)]
    assert place([newcomer], alone, 0, PREFS) == [KeepWaiting(newcomer, NOBODY_TO_MEET)]
    assert vocab.WAIT_REASONS[NOBODY_TO_MEET].startswith("Nobody here you can meet yet.")
    # nobody waiting at all: a plain wait, as today; every slot in a conversation: a plain line
    assert place([newcomer], [], 1, PREFS) == [OpenAlone(newcomer, None)]
    assert place([newcomer], [], 0, PREFS) == [KeepWaiting(newcomer, None)]


def test_someone_who_left_gender_out_waits_for_someone_who_meets_everyone() -> None:
    unsaid = w("u", at=1)
    picky, open_to_all = w("p", "man", ["women"], 2), w("o", "woman", at=3)
    assert place([picky, open_to_all], [unsaid], 1, PREFS) == [
        OpenAlone(picky, NOBODY_TO_MEET),
        SitWith(open_to_all, unsaid),
    ]


def test_the_line_is_served_in_order_and_the_next_may_sit_with_one_just_seated() -> None:
    a, b, c = w("a", "man", ["women"], 1), w("b", "man", ["women"], 2), w("c", "woman", ["men"], 3)
    assert place([a, b, c], [], 1, PREFS) == [
        OpenAlone(a, None),
        KeepWaiting(b, NOBODY_TO_MEET),
        SitWith(c, a),
    ]
    assert nobody_to_meet(b, [a], PREFS) and not nobody_to_meet(c, [a], PREFS)
    assert not nobody_to_meet(b, [], PREFS)


def test_a_blocked_pair_is_never_seated_together() -> None:
    safety = Safety()
    safety.report("ann", "bob", {"reason": "fake"}, T0)
    ann = Waiting("s1", parse_profile({"name": "Ann"}), T0, person="ann")
    bob = Waiting("s9", parse_profile({"name": "Bob"}), T0, person="bob")  # a new socket, the same person
    cat = Waiting("s5", parse_profile({"name": "Cat"}), T0 + timedelta(seconds=1), person="cat")
    rule = meeting_rule("everyone", safety)
    assert place([bob], [ann], 0, rule) == [KeepWaiting(bob, NOBODY_TO_MEET)]
    assert place([bob], [ann, cat], 0, rule) == [SitWith(bob, cat)]
    safety.remove("cat", "Cat", T0)
    assert place([ann], [cat], 1, rule) == [OpenAlone(ann, NOBODY_TO_MEET)]


def test_the_line_keeps_the_person_key() -> None:
    line = Waitlist()
    line.add("s1", p("A"), T0, person="k1")
    line.add("s2", p("B"), T0)
    assert [x.key for x in line.entries] == ["k1", "s2"]


GENDERS = [None, "woman", "man", "nonbinary"]
MEETS = [None, ["women"], ["men"], ["nonbinary"], ["women", "men"], ["men", "nonbinary"]]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(range(4)), st.sampled_from(range(6))), min_size=1, max_size=9),
    st.integers(0, 8),
    st.integers(0, 3),
    st.sets(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=6),
    st.sampled_from(["everyone", "preferences"]),
)
def test_placements_follow_the_rule_for_any_crowd(
    people: list[tuple[int, int]], split: int, slots: int, blocks: set[tuple[int, int]], mode: str
) -> None:
    """Checked against the rule itself: who sits together may meet, the partner is the one who
    waited longest of those still alone, and nobody opens or waits while someone they may
    meet waits alone."""
    crowd = [w(f"p{i}", GENDERS[g], MEETS[m], at=i) for i, (g, m) in enumerate(people)]
    safety = Safety()
    for x, y in blocks:
        if x < len(crowd) and y < len(crowd):
            safety.block(crowd[x].key, crowd[y].key)
    rule = meeting_rule(mode, safety)
    alone, line = crowd[: split % len(crowd)], crowd[split % len(crowd) :]
    seats, left = list(alone), slots
    placements = place(line, alone, slots, rule)
    assert [x.person for x in placements] == line
    for placed in placements:
        fits = [s for s in seats if rule(placed.person, s)]
        if isinstance(placed, SitWith):
            assert fits and placed.partner == fits[0]
            assert compatible(placed.person.profile, placed.partner.profile, mode)
            assert safety.may_pair(placed.person.key, placed.partner.key)
            seats.remove(placed.partner)
        else:
            assert fits == []
            assert placed.reason == (NOBODY_TO_MEET if seats else None)
            if isinstance(placed, OpenAlone):
                assert left > 0
                left -= 1
                seats.append(placed.person)
            else:
                assert left == 0
