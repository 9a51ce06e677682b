"""The largest pairing of people in any graph of who may meet, leaving out whom fairness says.

Pure. People are numbered 0..n-1 and `adj[i]` lists whom person i may meet (both ways).
`fair_matching` returns a matching of the largest size there is that covers the people of
`order` greedily: the first of `order` is left out only if no largest matching covers them,
and so on down the list. The sets of people some matching covers form a matroid (the matching
matroid), so this greedy choice is optimal for any weights ordered like `order`; each step is
one search for an augmenting path (Edmonds' blossom algorithm), O(n^3) in all.

A step never uncovers someone chosen earlier, but it may uncover someone not chosen, who was
covered only by chance. For that each person not chosen has a private "twin" vertex: a path
from the next person to such a person, then on to their twin, is an augmenting path, and
dropping the twin's edge afterwards leaves that person uncovered and the next one covered.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

Neighbours = Callable[[int], Sequence[int]]


def _augmenting_end(root: int, size: int, neighbours: Neighbours, match: list[int]) -> tuple[int, list[int]]:
    """Edmonds' search from the uncovered `root`: the uncovered vertex an augmenting path
    ends at (-1: none exists) and the parents to walk it back with."""
    parent = [-1] * size
    base = list(range(size))
    used = [False] * size
    used[root] = True
    queue = deque([root])

    def common_base(a: int, b: int) -> int:
        seen = [False] * size
        while True:
            a = base[a]
            seen[a] = True
            if match[a] == -1:
                break
            a = parent[match[a]]
        while True:
            b = base[b]
            if seen[b]:
                return b
            b = parent[match[b]]

    def mark_path(v: int, b: int, child: int, blossom: list[bool]) -> None:
        while base[v] != b:
            blossom[base[v]] = blossom[base[match[v]]] = True
            parent[v] = child
            child = match[v]
            v = parent[match[v]]

    while queue:
        v = queue.popleft()
        for to in neighbours(v):
            if base[v] == base[to] or match[v] == to:
                continue
            if to == root or (match[to] != -1 and parent[match[to]] != -1):  # an odd cycle: contract it
                b = common_base(v, to)
                blossom = [False] * size
                mark_path(v, b, to, blossom)
                mark_path(to, b, v, blossom)
                for i in range(size):
                    if blossom[base[i]]:
                        base[i] = b
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
            elif parent[to] == -1:
                parent[to] = v
                if match[to] == -1:
                    return to, parent
                used[match[to]] = True
                queue.append(match[to])
    return -1, parent


def _augment(end: int, parent: list[int], match: list[int]) -> None:
    v = end
    while v != -1:
        pv = parent[v]
        next_v = match[pv]
        match[v], match[pv] = pv, v
        v = next_v


def fair_matching(n: int, adj: Sequence[Sequence[int]], order: Sequence[int]) -> list[int]:
    """A largest matching that covers the earliest of `order` it can: `match[i]` is i's
    partner, or -1 for someone left out. `order` lists every person once."""
    match = [-1] * (2 * n)  # n..2n-1: the twins of those not yet chosen
    chosen = [False] * n
    root = -1

    def neighbours(v: int) -> Sequence[int]:
        if v >= n:
            i = v - n
            return () if chosen[i] or i == root else (i,)
        if chosen[v] or v == root:
            return adj[v]
        return [*adj[v], n + v]

    for person in order:
        if match[person] == -1:
            root = person
            end, parent = _augmenting_end(person, 2 * n, neighbours, match)
            root = -1
            if end != -1:
                _augment(end, parent, match)
                for i in range(n):  # a twin's edge only marks someone left out
                    if match[i] >= n:
                        match[match[i]] = match[i] = -1
        if match[person] != -1:
            chosen[person] = True
    return match[:n]
