"""The connection cap, worked out from the settings, and bounded by the open-file limit."""

from __future__ import annotations

from heartlink_desktop.server import listener
from heartlink_desktop.settings import Settings


def test_the_cap_follows_max_pairs_with_room_for_a_line_and_an_evening() -> None:
    one = Settings().connection_cap
    assert one == 32 + 4 * 2
    assert Settings(max_pairs=10).connection_cap == 32 + 4 * 30  # 20 seats and a line of 10
    assert Settings(max_pairs=10, queue=False).connection_cap == 32 + 4 * 20
    assert Settings(rounds=3).connection_cap > 4 * 100  # an evening seats everyone present
    assert Settings(max_connections=7).connection_cap == 7


def test_the_file_limit_is_raised_towards_what_the_cap_needs() -> None:
    room = listener.descriptor_room(100)
    assert room is None or room >= 1


def test_a_flood_that_closed_gives_its_memory_back_once() -> None:
    gate = listener.Listener(10_000, 10.0, reason="test")
    gate.open = gate.peak = 1000
    gate.give_back()
    assert gate.peak == 1000 and (gate.trims == 1 or listener._malloc_trim() is None)
