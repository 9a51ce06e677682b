"""An evening of rounds under a fake clock: lobby, rounds, phases, wrap-up, breaks, the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.core import CoreError
from heartlink_desktop.core.evening import (
    BREAK,
    ENDED,
    LOBBY,
    PAUSED,
    ROUND,
    Evening,
    EveningEnded,
    PhaseDue,
    RoundClosed,
    RoundOpened,
    WrapUp,
)

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def evening_of(n: int, rounds: int = 3, minutes: float = 2) -> Evening:
    evening = Evening(rounds=rounds, round_seconds=minutes * 60, break_seconds=20)
    for i in range(n):
        evening.join(f"p{i}", f"Person {i}")
    return evening


def run_until(evening: Evening, end: float, step: float = 1.0) -> list[tuple[float, object]]:
    """Tick the fake clock one step at a time, collecting each effect with its time."""
    seen: list[tuple[float, object]] = []
    t = 0.0
    while t <= end:
        seen += [(t, e) for e in evening.tick(at(t))]
        t += step
    return seen


def test_next_before_start_says_so_in_plain_words() -> None:
    evening = evening_of(4)
    with pytest.raises(CoreError) as err:
        evening.next(T0)
    assert err.value.code == "not_started" and "start" in err.value.message
    with pytest.raises(CoreError) as few:
        evening_of(1).start(T0)
    assert few.value.code == "too_few_people"


def test_three_rounds_of_six_people_each_with_new_partners_then_the_end() -> None:
    evening = evening_of(6)
    first = evening.start(at(0))
    assert isinstance(first[0], RoundOpened) and first[0].number == 1 and first[0].ends_at == at(120)
    assert first[1] == PhaseDue(1, "icebreaker")
    seen = run_until(evening, 3 * 120 + 2 * 20 + 5)
    kinds = [type(e).__name__ for _, e in seen]
    assert kinds.count("RoundOpened") == 2 and kinds.count("RoundClosed") == 3
    assert kinds.count("WrapUp") == 3 and kinds[-1] == "EveningEnded"
    assert evening.state == ENDED
    met = evening.history.met
    assert len(met) == 9 and set(met.values()) == {1}, "three rounds of three pairs: nine different pairs"
    # phases fit the round: deep dive after 35%, decision after 80%, wrap-up 30 s before the end
    round1 = [(t, e) for t, e in seen if t < 120]
    assert (42.0, PhaseDue(1, "deep_dive")) in round1 and (96.0, PhaseDue(1, "decision")) in round1
    assert (90.0, WrapUp(1, 30.0)) in round1
    closes = [(t, e) for t, e in seen if isinstance(e, RoundClosed)]
    assert [t for t, _ in closes] == [120.0, 260.0, 400.0]
    assert closes[0][1].next_at == at(140) and closes[-1][1].next_at is None


def test_a_latecomer_joins_the_next_round_and_someone_who_leaves_is_out() -> None:
    evening = evening_of(4)
    evening.start(at(0))
    assert evening.join("late", "Late") == ROUND
    assert evening.pair_of("late") is None
    pair = evening.leave("p0")
    assert pair is not None and evening.pair_of("p0") is None
    evening.next(at(30))
    assert evening.state == BREAK
    opened = evening.next(at(31))
    assert isinstance(opened[0], RoundOpened)
    seated = {p for pair in opened[0].pairs for p in pair}
    assert seated == {"p1", "p2", "p3", "late"} and opened[0].sitting_out is None


def test_the_host_ends_the_evening_mid_round() -> None:
    evening = evening_of(4)
    evening.start(at(0))
    effects = evening.end(at(10))
    assert isinstance(effects[0], RoundClosed) and effects[0].next_at is None
    assert effects[-1] == EveningEnded(1)
    with pytest.raises(CoreError):
        evening.end(at(11))
    with pytest.raises(CoreError) as late:
        evening.join("x", "X")
    assert late.value.code == "evening_ended"


def test_the_next_deadline_is_the_next_thing_tick_does() -> None:
    evening = evening_of(2, rounds=2, minutes=1)
    assert evening.next_deadline() is None and evening.state == LOBBY
    evening.start(at(0))
    assert evening.next_deadline() == at(21)  # deep dive at 35% of 60 s
    evening.tick(at(21))
    assert evening.next_deadline() == at(45)  # wrap-up 15 s before the end (a quarter of the round)


def test_an_evening_survives_a_round_trip_through_its_file_data() -> None:
    evening = evening_of(5)
    evening.start(at(0))
    evening.tick(at(120))
    back = Evening.from_dict(evening.to_dict())
    assert back.state == BREAK and back.number == 1 and back.history == evening.history
    assert back.people == evening.people
    assert [type(e) for e in back.tick(at(140))] == [RoundOpened, PhaseDue]


def crashed_in_round_two(people: int = 4, rounds: int = 3) -> Evening:
    """An evening as a host reads it back from its file after dying in round 2."""
    evening = evening_of(people, rounds=rounds)
    evening.start(at(0))
    evening.next(at(60))  # round 1 ends
    evening.next(at(70))  # round 2 opens; then the host dies
    restored = Evening.from_dict(evening.to_dict())
    restored.after_crash()
    return restored


def test_a_restored_evening_waits_paused_and_never_ends_for_want_of_pairs() -> None:
    evening = crashed_in_round_two()
    assert evening.state == PAUSED and evening.people == {} and evening.number == 2
    assert evening.next_deadline() is None
    assert evening.tick(at(10_000)) == [] and evening.state == PAUSED  # hours later: still waiting
    with pytest.raises(CoreError) as few:
        evening.resume(at(10_000))
    assert few.value.code == "too_few_people" and "0 of" in few.value.message
    evening.join("p0", "Person 0")
    assert not evening.ready_to_resume()
    with pytest.raises(CoreError):
        evening.next(at(10_001))  # next is resume while paused
    assert evening.state == PAUSED and len(evening.history.met) == 4  # nothing lost


def test_two_who_have_not_met_make_it_ready_and_resume_opens_the_next_round() -> None:
    evening = crashed_in_round_two()
    met = set(evening.history.met)
    people = [f"p{i}" for i in range(4)]
    a, b = next((x, y) for i, x in enumerate(people) for y in people[i + 1 :] if frozenset((x, y)) not in met)
    partner_before = next(p for p in people if p != a and frozenset((a, p)) in met)
    evening.join(a, a)
    evening.join(partner_before, partner_before)
    assert not evening.ready_to_resume()  # these two have met: nothing new to hold
    evening.leave(partner_before)
    evening.join(b, b)
    assert evening.ready_to_resume()
    opened = evening.resume(at(20_000))
    assert isinstance(opened[0], RoundOpened) and opened[0].number == 3
    assert opened[0].pairs == ((a, b),) or opened[0].pairs == ((b, a),)
    assert evening.state == ROUND and not evening.ready_to_resume()


def test_after_the_last_round_resume_ends_the_evening_and_so_does_end() -> None:
    evening = crashed_in_round_two(rounds=2)
    assert not evening.ready_to_resume()  # no round left to hold: only the host ends it
    assert evening.resume(at(0)) == [EveningEnded(2)] and evening.state == ENDED
    other = crashed_in_round_two()
    assert other.end(at(0)) == [EveningEnded(2)]
    with pytest.raises(CoreError):
        Evening(1, 60).resume(T0)  # not paused


def test_a_crash_in_the_lobby_stays_in_the_lobby() -> None:
    evening = Evening.from_dict(evening_of(3).to_dict())
    evening.after_crash()
    assert evening.state == LOBBY and evening.people == {}
