"""Rounds where not everyone may meet: only compatible, never blocked pairs, as many new
meetings as there can be each round, and fair breaks; checked by brute force on small groups."""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.core import parse_profile
from heartlink_desktop.core.compat import compatible, pairing_rule
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.safety import Safety
from heartlink_desktop.core.schedule import History, RoundPlan, everyone_met, plan_round, play_order

MayMeet = Callable[[str, str], bool]
_T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def profile(gender: str | None, meet: list[str] | None) -> Profile:
    raw: dict[str, object] = {"name": "x"}
    if gender is not None:
        raw["gender"] = gender
    if meet is not None:
        raw["meet"] = meet
    return parse_profile(raw)


def women_and_men(w: int, m: int) -> tuple[list[str], dict[str, Profile]]:
    """w women who meet men and m men who meet women, arriving in turns."""
    women = [f"w{i}" for i in range(w)]
    men = [f"m{i}" for i in range(m)]
    group = [p for pair in itertools.zip_longest(women, men) for p in pair if p is not None]
    profiles = {p: profile("woman", ["men"]) if p[0] == "w" else profile("man", ["women"]) for p in group}
    return group, profiles


def check_round(plan: RoundPlan, present: list[str], may_meet: MayMeet) -> None:
    seated = [p for pair in plan.pairs for p in pair]
    assert len(seated) == len(set(seated)), "nobody sits in two pairs"
    assert set(seated) | set(plan.breaks) == set(present) and not set(seated) & set(plan.breaks)
    assert plan.sitting_out == (plan.breaks[0] if plan.breaks else None)
    assert all(may_meet(a, b) for a, b in plan.pairs), "only people who may meet are paired"
    assert not any(may_meet(a, b) for a, b in itertools.combinations(plan.breaks, 2)), "no break is needless"


def coverable(people: list[str], allowed: MayMeet) -> set[frozenset[str]]:
    """Every set of people some pairing over `allowed` pairs covers (brute force)."""

    @functools.cache
    def from_(rest: tuple[str, ...]) -> frozenset[frozenset[str]]:
        if not rest:
            return frozenset({frozenset()})
        first, others = rest[0], rest[1:]
        found = set(from_(others))  # first left out
        for q in others:
            if allowed(first, q):
                found |= {c | {first, q} for c in from_(tuple(r for r in others if r != q))}
        return frozenset(found)

    return set(from_(tuple(people)))


def check_most_new_meetings(plan: RoundPlan, present: list[str], history: History, may_meet: MayMeet) -> None:
    """As many new meetings as any pairing has (brute force); someone who had the last break
    has another only if no such pairing seats them instead of someone who has had none."""
    new = {p for a, b in plan.pairs if not history.times_met(a, b) for p in (a, b)}
    options = coverable(present, lambda a, b: may_meet(a, b) and not history.times_met(a, b))
    assert len(new) == max(len(c) for c in options), "as many new meetings as there can be"
    for rested in set(plan.breaks) & set(history.last_breaks):
        for player in new:
            if not history.breaks.get(player):
                assert not any((new - {player}) | {rested} <= c for c in options), (rested, player)


def run_rounds(group: list[str], may_meet: MayMeet, rounds: int) -> tuple[History, list[RoundPlan]]:
    history, plans = History(), []
    for _ in range(rounds):
        plan = plan_round(group, history, may_meet)
        check_round(plan, group, may_meet)
        history.record(plan)
        plans.append(plan)
    return history, plans


def test_five_women_and_five_men_meet_all_five_of_the_other_group_in_five_rounds() -> None:
    group, profiles = women_and_men(5, 5)
    may_meet = pairing_rule(profiles)
    history, plans = run_rounds(group, may_meet, 5)
    assert all(len(plan.pairs) == 5 and plan.repeats == 0 and plan.breaks == () for plan in plans)
    assert all(a[0] != b[0] for plan in plans for a, b in plan.pairs)
    assert set(history.met) == {frozenset((w, m)) for w in group if w[0] == "w" for m in group if m[0] == "m"}
    assert set(history.met.values()) == {1}, "nobody meets anyone twice"
    assert everyone_met(group, history, may_meet) and not everyone_met(group, history)


def test_three_women_and_three_men_have_three_rounds_of_only_woman_man_pairs() -> None:
    group, profiles = women_and_men(3, 3)
    history, plans = run_rounds(group, pairing_rule(profiles), 3)
    assert [len(plan.pairs) for plan in plans] == [3, 3, 3]
    assert all(profiles[a].gender != profiles[b].gender for plan in plans for a, b in plan.pairs)
    assert len(history.met) == 9 and set(history.met.values()) == {1}


@pytest.mark.parametrize("w, m", [(3, 5), (2, 5), (4, 7), (1, 3), (5, 3), (4, 6)])
def test_unequal_groups_meet_everyone_with_breaks_given_fairly(w: int, m: int) -> None:
    group, profiles = women_and_men(w, m)
    larger = {p for p in group if p[0] == ("m" if m > w else "w")}
    history, plans = run_rounds(group, pairing_rule(profiles), max(w, m))
    assert len(history.met) == w * m and set(history.met.values()) == {1}
    seen: dict[str, int] = {}
    last: tuple[str, ...] = ()
    for plan in plans:
        assert set(plan.breaks) <= larger and len(plan.pairs) == min(w, m)
        for person in plan.breaks:
            # when more must sit out than can take turns, some sit out twice: never while one
            # who has had no break plays
            none_yet = [p for p in larger if p not in plan.breaks and not seen.get(p)]
            assert person not in last or not none_yet, f"{person} sits out twice while {none_yet} play"
        for person in plan.breaks:
            seen[person] = seen.get(person, 0) + 1
        counts = [seen.get(p, 0) for p in larger]
        assert max(counts) - min(counts) <= 1
        last = plan.breaks


def test_among_equals_the_one_who_had_the_last_break_plays() -> None:
    group = ["w", "a", "b", "c"]  # one woman who meets men, three men who meet women
    may_meet = pairing_rule({"w": profile("woman", ["men"]), **{m: profile("man", ["women"]) for m in "abc"}})
    history = History(breaks={"a": 1, "b": 1}, last_break="a", last_breaks=("a",))
    assert play_order(group, history) == ["a", "b", "w", "c"]
    plan = plan_round(group, history, may_meet)
    assert plan.pairs == (("w", "a"),) and plan.breaks == ("b", "c")
    history = History(breaks={"a": 1, "b": 1}, last_break="b", last_breaks=("b",))
    assert plan_round(group, history, may_meet).pairs == (("w", "b"),)


def test_a_blocked_pair_is_never_paired_even_when_it_means_a_break() -> None:
    group, profiles = women_and_men(2, 2)
    safety = Safety()
    safety.report("w0", "m0", {"reason": "uncomfortable"}, _T0)
    may_meet = pairing_rule(profiles, safety=safety)
    history, plans = run_rounds(group, may_meet, 4)
    assert all({"w0", "m0"} != set(pair) for plan in plans for pair in plan.pairs)
    assert frozenset(("w0", "m0")) not in history.met
    # once w0 met m1 and m0 met w1, nobody new is left for them: a repeat, or a break
    assert plans[0].pairs == (("w0", "m1"), ("m0", "w1"))
    safety.remove("w1", "W1", _T0)
    plan = plan_round(group, history, pairing_rule(profiles, safety=safety))
    assert plan.pairs == (("w0", "m1"),) and set(plan.breaks) == {"m0", "w1"}


def test_with_nobody_filling_the_fields_the_rounds_are_todays() -> None:
    rng = random.Random(7)
    present = [f"p{i}" for i in range(9)]
    profiles = {p: parse_profile({"name": p}) for p in [*present, *(f"n{i}" for i in range(20))]}
    may_meet = pairing_rule(profiles)
    history, fresh = History(), iter(range(20))
    for _ in range(12):
        plan = plan_round(present, history, may_meet)
        assert plan == plan_round(present, history)
        history.record(plan)
        if rng.random() < 0.4:
            present.append(f"n{next(fresh)}")
        if rng.random() < 0.3:
            present.pop(rng.randrange(len(present)))


def test_the_breaks_of_a_round_survive_a_round_trip_and_old_files_still_load() -> None:
    group, profiles = women_and_men(2, 4)
    history, _ = run_rounds(group, pairing_rule(profiles), 1)
    assert len(history.last_breaks) == 2
    again = History.from_dict(history.to_dict())
    assert again == history
    old = history.to_dict()
    del old["last_breaks"]
    assert History.from_dict(old).last_breaks == (history.last_break,)


GENDERS = [None, "woman", "man", "nonbinary"]
MEETS = [
    None,
    ["women"],
    ["men"],
    ["nonbinary"],
    ["women", "men"],
    ["men", "nonbinary"],
    ["women", "nonbinary"],
]


@settings(max_examples=120, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.tuples(st.sampled_from(range(4)), st.sampled_from(range(7))), min_size=2, max_size=10),
    st.sampled_from(["everyone", "preferences"]),
)
def test_a_mixed_evening_never_pairs_people_who_may_not_meet(
    seed: int, people: list[tuple[int, int]], mode: str
) -> None:
    """Random profiles, reports and removals, with joins and leaves between rounds: no pair
    that may not meet, and as many new meetings as there can be, with fair breaks."""
    rng = random.Random(seed)
    everyone = [f"p{i}" for i in range(len(people) + 4)]
    profiles = {
        p: profile(GENDERS[g], MEETS[m])
        for p, (g, m) in zip(
            everyone, [*people, *[(rng.randrange(4), rng.randrange(7)) for _ in range(4)]], strict=True
        )
    }
    safety = Safety()
    present, arrivals, history = everyone[: len(people)], iter(everyone[len(people) :]), History()
    for _ in range(6):
        may_meet = pairing_rule(profiles, mode, safety)
        plan = plan_round(present, history, may_meet)
        check_round(plan, present, may_meet)
        for a, b in plan.pairs:
            assert compatible(profiles[a], profiles[b], mode) and safety.may_pair(a, b)
        if all(may_meet(a, b) for a, b in itertools.combinations(present, 2)):
            assert plan == plan_round(present, history), "everyone may meet everyone: today's rounds"
        else:
            check_most_new_meetings(plan, present, history, may_meet)
        history.record(plan)
        # between rounds: a report, a removal, someone leaves, someone arrives
        if len(plan.pairs) and rng.random() < 0.3:
            a, b = plan.pairs[0]
            safety.report(a, b, {"reason": "other"}, _T0)
        if rng.random() < 0.1:
            gone = rng.choice(present)
            safety.remove(gone, gone, _T0)
        if len(present) > 2 and rng.random() < 0.2:
            present.remove(rng.choice(present))
        if rng.random() < 0.3:
            present.append(next(arrivals, "p0"))
            present = list(dict.fromkeys(present))
