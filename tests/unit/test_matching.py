"""The largest pairing in any graph, leaving out whom the order says: checked by brute force."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.core.matching import fair_matching


def matchings(free: list[int], adj: list[set[int]]) -> Iterator[frozenset[int]]:
    """Every set of people some matching covers (brute force, small graphs)."""
    if not free:
        yield frozenset()
        return
    first, rest = free[0], free[1:]
    yield from matchings(rest, adj)  # first left out
    for q in rest:
        if q in adj[first]:
            for covered in matchings([r for r in rest if r != q], adj):
                yield covered | {first, q}


def greedy_best(n: int, adj: list[set[int]], order: list[int]) -> frozenset[int]:
    coverable = set(matchings(list(range(n)), adj))
    chosen: frozenset[int] = frozenset()
    for person in order:
        if any(chosen | {person} <= c for c in coverable):
            chosen |= {person}
    return chosen


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[set[int]], list[int]]:
    n = draw(st.integers(0, 9))
    edges = draw(st.sets(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0)))))
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, b in edges:
        if a != b and a < n and b < n:
            adj[a].add(b)
            adj[b].add(a)
    order = draw(st.permutations(list(range(n))))
    return n, adj, list(order)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_the_pairing_is_a_largest_one_and_leaves_out_the_last_it_can(
    graph: tuple[int, list[set[int]], list[int]],
) -> None:
    n, adj, order = graph
    match = fair_matching(n, [sorted(a) for a in adj], order)
    for i, j in enumerate(match):
        assert j == -1 or (match[j] == i and j in adj[i]), "a matching over allowed pairs"
    covered = frozenset(i for i, j in enumerate(match) if j != -1)
    assert covered == greedy_best(n, adj, order)


def test_odd_cycles_are_handled() -> None:
    # a triangle with a tail: the largest matching must go round the odd cycle
    adj = [[1, 2], [0, 2], [0, 1, 3], [2]]
    match = fair_matching(4, adj, [3, 0, 1, 2])
    assert match[3] == 2 and {match[0], match[1]} == {1, 0}
    # two pentagons joined by an edge: 5 pairs cover all ten
    ring = [[(i + 1) % 5, (i - 1) % 5] for i in range(5)]
    adj = [r[:] for r in ring] + [[5 + x for x in r] for r in ring]
    adj[0].append(5)
    adj[5].append(0)
    assert -1 not in fair_matching(10, adj, list(range(10)))
