"""Who meets whom in each round of an evening: a round-robin that bends to joins and leaves.

Pure: people are opaque ids, the history is passed in, nothing is random. With the same people
from round to round it is the classic circle method, so n people (n even) meet all n-1 others
in n-1 rounds and nobody meets anyone twice; with n odd each round one person has a break,
everyone once in n rounds. When people join or leave between rounds the circle is laid anew
and the planner looks for the round that repeats no meeting; only when none exists (everyone
present has met everyone else, or nearly) does it allow a repeat, the least-met pairs first.

Breaks go to whoever has had the fewest, never the one who had the last break while someone
else present has had none, and, among equals, to the one who joined the evening last.

Who may meet whom (`may_meet`: compatible profiles, never a blocked pair) bends it further.
When some present may not meet, each round is the largest pairing of people who may meet and
have not met (`core/matching.py`), leaving out whom the break rule says, then pairs those left
with someone they may meet again, the least met first; the rest have a break. Two who may not
meet are never paired. With everyone allowed to meet everyone it is exactly the round-robin
above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from heartlink_desktop.core.matching import fair_matching

Pair = tuple[str, str]
MayMeet = Callable[[str, str], bool]  # may these two be paired? (compatible, never blocked)
SEARCH_BUDGET = 5_000  # nodes the matching search may visit before it settles for the best so far


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


@dataclass(frozen=True)
class RoundPlan:
    """One round: who meets whom, and who has a break (the planner makes it, the evening and
    `History.record` read it)."""

    pairs: tuple[Pair, ...]
    sitting_out: str | None  # the first person with a break this round, or None
    repeats: int = 0  # pairs in this round who met before this evening's earlier rounds
    breaks: tuple[str, ...] = ()  # everyone with a break (more than one when some may not meet)

    def __post_init__(self) -> None:
        if not self.breaks and self.sitting_out is not None:
            object.__setattr__(self, "breaks", (self.sitting_out,))


@dataclass
class History:
    """What an evening remembers between rounds: who met whom, and who had breaks."""

    met: dict[frozenset[str], int] = field(default_factory=dict)
    breaks: dict[str, int] = field(default_factory=dict)
    last_break: str | None = None
    rounds: int = 0
    last_breaks: tuple[str, ...] = ()  # everyone who had a break last round (last_break: the first)

    def times_met(self, a: str, b: str) -> int:
        return self.met.get(pair_key(a, b), 0)

    def partners_of(self, person: str) -> set[str]:
        return {next(iter(k - {person})) for k in self.met if person in k and len(k) == 2}

    def record(self, plan: RoundPlan) -> None:
        for a, b in plan.pairs:
            key = pair_key(a, b)
            self.met[key] = self.met.get(key, 0) + 1
        for person in plan.breaks:
            self.breaks[person] = self.breaks.get(person, 0) + 1
        self.last_break = plan.sitting_out
        self.last_breaks = plan.breaks
        self.rounds += 1

    def had_last_break(self, person: str) -> bool:
        return person in self.last_breaks or person == self.last_break

    def to_dict(self) -> dict[str, Any]:
        return {
            "met": sorted([[*sorted(k), n] for k, n in self.met.items()]),
            "breaks": dict(sorted(self.breaks.items())),
            "last_break": self.last_break,
            "last_breaks": list(self.last_breaks),
            "rounds": self.rounds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
        met = {pair_key(str(a), str(b)): int(n) for a, b, n in data.get("met") or []}
        breaks = {str(k): int(v) for k, v in (data.get("breaks") or {}).items()}
        last = None if data.get("last_break") is None else str(data["last_break"])
        lasts = tuple(str(p) for p in data.get("last_breaks") or ([] if last is None else [last]))
        return cls(met, breaks, last, int(data.get("rounds", 0)), lasts)


def break_candidates(present: Sequence[str], history: History) -> list[str | None]:
    """Who may sit out this round, the preferred first: [None] for an even count. Those with
    the fewest breaks, the latest to join first (those here longest had their turn), and the
    one who sat out last round only when nobody else has as few."""
    if len(present) % 2 == 0:
        return [None]
    fewest = min(history.breaks.get(p, 0) for p in present)
    candidates: list[str | None] = [p for p in reversed(present) if history.breaks.get(p, 0) == fewest]
    rested = [p for p in candidates if p is not None and history.had_last_break(p)]
    if rested and len(rested) < len(candidates):
        candidates = [p for p in candidates if p not in rested]
    return candidates


def circle_rounds(people: Sequence[str]) -> list[list[Pair | tuple[str, None]]]:
    """The circle method: every round of a full round-robin of `people` (a None seat pads an
    odd count; whoever faces it has the break)."""
    seats: list[str | None] = list(people)
    if len(seats) % 2:
        seats.append(None)
    n = len(seats)
    out: list[list[Pair | tuple[str, None]]] = []
    for r in range(n - 1):
        order = [seats[0], *[seats[1 + (i + r) % (n - 1)] for i in range(n - 1)]]
        rnd: list[Pair | tuple[str, None]] = []
        for i in range(n // 2):
            a, b = order[i], order[n - 1 - i]
            if a is None:
                a, b = b, a
            assert a is not None
            rnd.append((a, b))  # type: ignore[arg-type]
        out.append(rnd)
    return out


def _from_circle(present: Sequence[str], history: History, out: str | None) -> RoundPlan | None:
    """The first circle round that repeats no meeting and gives the break to `out`."""
    for rnd in circle_rounds(present):
        pairs = [p for p in rnd if p[1] is not None]
        bye = next((p[0] for p in rnd if p[1] is None), None)
        if bye != out:
            continue
        if all(history.times_met(a, b) == 0 for a, b in pairs):  # type: ignore[arg-type]
            return RoundPlan(tuple(pairs), out)  # type: ignore[arg-type]
    return None


def _search(people: list[str], history: History, limit: int) -> list[Pair] | None:
    """A pairing of `people` in which no pair has met more than `limit` times, or None.
    Backtracking, most constrained first, within SEARCH_BUDGET nodes."""
    budget = [SEARCH_BUDGET]
    index = {p: i for i, p in enumerate(people)}

    def options(person: str, free: set[str]) -> list[str]:
        found = [q for q in free if q != person and history.times_met(person, q) <= limit]
        return sorted(found, key=lambda q: (history.times_met(person, q), index[q]))

    def go(free: set[str]) -> list[Pair] | None:
        if not free:
            return []
        budget[0] -= 1
        if budget[0] < 0:
            return None
        person = min(free, key=lambda p: (len(options(p, free)), index[p]))
        for q in options(person, free):
            rest = go(free - {person, q})
            if rest is not None:
                a, b = sorted((person, q), key=index.__getitem__)
                return [(a, b), *rest]
        return None

    return go(set(people))


def plan_round(present: Sequence[str], history: History, may_meet: MayMeet | None = None) -> RoundPlan:
    """The pairs of the next round for the people present (in joining order). `may_meet`
    None: everyone may meet everyone."""
    people = list(dict.fromkeys(present))
    if may_meet is not None and not all(may_meet(a, b) for a, b in combinations(people, 2)):
        return _plan_allowed(people, history, may_meet)
    return _plan_everyone(people, history)


def play_order(people: Sequence[str], history: History) -> list[str]:
    """Who should play first, when not everyone can: the most breaks first, then whoever had
    the last one, then in joining order (so a break goes to the one who joined last)."""
    index = {p: i for i, p in enumerate(people)}
    return sorted(people, key=lambda p: (-history.breaks.get(p, 0), not history.had_last_break(p), index[p]))


def _pairing(people: list[str], history: History, may: Callable[[str, str], bool]) -> list[Pair]:
    """A largest pairing over the pairs `may` allows, covering the first of `play_order` it can."""
    n = len(people)
    adj = [[j for j in range(n) if j != i and may(people[i], people[j])] for i in range(n)]
    for i, row in enumerate(adj):  # the least met first, then in joining order
        row.sort(key=lambda j: (history.times_met(people[i], people[j]), j))
    index = {p: i for i, p in enumerate(people)}
    match = fair_matching(n, adj, [index[p] for p in play_order(people, history)])
    return [(people[i], people[j]) for i, j in enumerate(match) if i < j]


def _plan_allowed(people: list[str], history: History, may_meet: MayMeet) -> RoundPlan:
    """The round when some present may not meet: the most new meetings there can be, then
    repeats for those left, then breaks."""
    new = _pairing(people, history, lambda a, b: may_meet(a, b) and history.times_met(a, b) == 0)
    seated = {p for pair in new for p in pair}
    left = [p for p in people if p not in seated]
    again = _pairing(left, history, may_meet)
    seated |= {p for pair in again for p in pair}
    breaks = tuple(p for p in people if p not in seated)
    index = {p: i for i, p in enumerate(people)}
    pairs = sorted(new + again, key=lambda pair: index[pair[0]])
    return RoundPlan(tuple(pairs), breaks[0] if breaks else None, len(again), breaks)


def _plan_everyone(people: list[str], history: History) -> RoundPlan:
    """The round when everyone present may meet everyone: the circle, else a search."""
    if len(people) < 2:
        return RoundPlan((), people[0] if people else None)
    byes = break_candidates(people, history)
    for out in byes:  # a round with no repeat, with any fair break
        plan = _from_circle(people, history, out)
        if plan is not None:
            return plan
        pairs = _search([p for p in people if p != out], history, 0)
        if pairs is not None:
            return RoundPlan(tuple(pairs), out)
    out = byes[0]
    playing = [p for p in people if p != out]
    most = max((history.times_met(a, b) for a in playing for b in playing if a != b), default=0)
    for limit in range(1, most + 1):
        pairs = _search(playing, history, limit)
        if pairs is not None:
            repeats = sum(1 for a, b in pairs if history.times_met(a, b))
            return RoundPlan(tuple(pairs), out, repeats)
    raise AssertionError("a pairing with no limit on repeats always exists")  # pragma: no cover


def everyone_met(people: Iterable[str], history: History, may_meet: MayMeet | None = None) -> bool:
    """Whether everyone has met everyone they may meet."""
    return all(
        history.times_met(a, b) for a, b in combinations(people, 2) if may_meet is None or may_meet(a, b)
    )
