"""The rounds of an evening: nobody meets twice while a new partner can be found; fair breaks."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.core.schedule import History, RoundPlan, break_candidates, everyone_met, plan_round


def people(n: int, start: int = 0) -> list[str]:
    return [f"p{i:02d}" for i in range(start, start + n)]


def check_round(plan: RoundPlan, present: list[str]) -> None:
    seated = [p for pair in plan.pairs for p in pair]
    assert len(seated) == len(set(seated)), "nobody sits in two pairs"
    assert set(seated) | ({plan.sitting_out} - {None}) == set(present), "everyone present has a place"
    assert (plan.sitting_out is None) == (len(present) % 2 == 0)


def repeat_free_pairing_exists(playing: list[str], history: History) -> bool:
    """Brute force, for small groups: can these people pair up with no one meeting again?"""
    if not playing:
        return True
    first, rest = playing[0], playing[1:]
    for q in rest:
        if history.times_met(first, q) == 0:
            if repeat_free_pairing_exists([p for p in rest if p != q], history):
                return True
    return False


@pytest.mark.parametrize("n", range(2, 41))
def test_the_same_people_meet_everyone_once_in_a_full_round_robin(n: int) -> None:
    group, history = people(n), History()
    rounds = n - 1 if n % 2 == 0 else n
    for _ in range(rounds):
        plan = plan_round(group, history)
        check_round(plan, group)
        assert plan.repeats == 0
        assert all(history.times_met(a, b) == 0 for a, b in plan.pairs)
        history.record(plan)
    assert everyone_met(group, history)
    if n % 2:
        assert sorted(history.breaks.values()) == [1] * n, "each had exactly one break"
    # the next round can only repeat: everyone has met everyone
    assert plan_round(group, history).repeats == len(group) // 2


def test_with_an_odd_count_nobody_sits_out_twice_in_a_row_while_others_have_not() -> None:
    group, history = people(7), History()
    last = None
    for _ in range(7):
        plan = plan_round(group, history)
        assert plan.sitting_out != last
        last = plan.sitting_out
        history.record(plan)
    assert set(history.breaks) == set(group)


def test_a_latecomer_joins_the_next_round_and_meets_someone_new() -> None:
    group, history = people(4), History()
    history.record(plan_round(group, history))
    group.append("late")
    plan = plan_round(group, history)
    check_round(plan, group)
    # with five present, one sits out: the newcomer, who just came, is not favoured over those waiting
    assert plan.repeats == 0


def test_someone_who_leaves_is_taken_out_of_the_schedule() -> None:
    group, history = people(6), History()
    history.record(plan_round(group, history))
    group.remove("p03")
    plan = plan_round(group, history)
    check_round(plan, group)
    assert "p03" not in {p for pair in plan.pairs for p in pair}
    assert plan.repeats == 0


def test_the_break_goes_to_who_had_fewest_and_not_the_last_one_while_others_had_none() -> None:
    history = History(breaks={"a": 1, "b": 0, "c": 0}, last_break="a")
    assert break_candidates(["a", "b", "c"], history) == ["c", "b"]
    history = History(breaks={"a": 1, "b": 1, "c": 1}, last_break="c")
    assert break_candidates(["a", "b", "c"], history) == ["b", "a"]
    assert break_candidates(["a", "b"], History()) == [None]
    # after a round with several breaks (some may not meet), none of them sits out again first
    history = History(breaks={"a": 1, "b": 1, "c": 1}, last_break="b", last_breaks=("b", "c"))
    assert break_candidates(["a", "b", "c"], history) == ["a"]


def test_the_history_survives_a_round_trip_through_json_ready_data() -> None:
    group, history = people(5), History()
    for _ in range(3):
        history.record(plan_round(group, history))
    again = History.from_dict(history.to_dict())
    assert again == history
    assert plan_round(group, again) == plan_round(group, history)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=2, max_value=40))
def test_joins_and_leaves_between_rounds_never_repeat_a_meeting_that_could_be_avoided(
    seed: int, n: int
) -> None:
    rng = random.Random(seed)
    present, history, fresh = people(n), History(), itertools.count(100)
    for _ in range(8):
        plan = plan_round(present, history)
        check_round(plan, present)
        playing = [p for p in present if p != plan.sitting_out]
        if plan.repeats:
            # only when no fair break leaves a repeat-free pairing (checked by brute force)
            assert len(playing) > 12 or not any(
                repeat_free_pairing_exists([p for p in present if p != out], history)
                for out in break_candidates(present, history)
            )
        history.record(plan)
        # between rounds: some leave, some arrive
        for p in list(present):
            if len(present) > 2 and rng.random() < 0.1:
                present.remove(p)
        for _ in range(rng.choice((0, 0, 1, 2))):
            present.append(f"p{next(fresh)}")


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=3, max_value=25).filter(lambda n: n % 2 == 1), st.integers(0, 3))
def test_breaks_are_spread_fairly_with_a_newcomer(n: int, late_round: int) -> None:
    present, history = people(n - 1), History()
    for r in range(2 * n):
        if r == late_round:
            present.append("late")
        plan = plan_round(present, history)
        check_round(plan, present)
        history.record(plan)
        counts = [history.breaks.get(p, 0) for p in present]
        assert max(counts) - min(counts) <= 1 or len(present) % 2 == 0
