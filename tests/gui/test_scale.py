"""An event touches only the card and the line it changes, with a few pairs or with 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from heartlink_desktop.core.profile import parse_profile
from heartlink_desktop.gui.slots import PairCard
from heartlink_desktop.gui.window import MainWindow
from tests.gui.conftest import open_gui
from tests.gui.test_sessions import slot, transcript_text
from tests.support import until

pytestmark = pytest.mark.asyncio


def drawn(w: MainWindow) -> dict[str, tuple[PairCard, int]]:
    return {sid: (card, card.draws) for sid, card in w.slots.cards.items()}


def changed(before: dict[str, tuple[PairCard, int]], w: MainWindow) -> set[str]:
    """Conversations whose card was drawn again or replaced since `before`."""
    now = drawn(w)
    return {sid for sid, (card, n) in before.items() if now.get(sid) != (card, n)}


async def test_real_pairs_each_event_draws_only_its_own_card(data_dir: Path) -> None:
    async with open_gui(data_dir, max_pairs=8) as gui:
        w = gui.window
        pairs = [await gui.peers.pair() for _ in range(6)]
        ids = [a.received["session_info"][0]["session_id"] for a, _ in pairs]
        await until(lambda: all(slot(w, s, "B")[2] == "in call" for s in ids))
        before = drawn(w)

        a = pairs[2][0]
        await a.emit("transcript_update", {"text": "only a line"})
        await until(lambda: "only a line" in transcript_text(w, ids[2]))
        assert changed(before, w) == set()  # a line goes to its transcript, no card is drawn

        await pairs[4][1].close()  # a phone goes (no grace here): that conversation ends
        await until(lambda: slot(w, ids[4], "A")[2] == "ended")
        assert changed(before, w) == {ids[4]}

        before = drawn(w)
        c, _ = await gui.peers.pair()
        new = c.received["session_info"][0]["session_id"]
        await until(lambda: new in w.slots.cards and slot(w, new, "B")[2] == "in call")
        assert changed(before, w) == set()  # a newcomer's card is new; the others stay as they were
        assert list(w.slots.cards)[-1] == new

        before = drawn(w)
        w._on_tick()  # the one-second clock
        assert changed(before, w) == set()


async def test_a_burst_of_lines_is_shown_in_a_few_edits_in_order(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        w = gui.window
        a, b = await gui.peers.pair()
        sid = a.received["session_info"][0]["session_id"]
        await until(lambda: w.transcript.view(sid) is not None)
        view = w.transcript.view(sid)
        assert view is not None
        edits = view.edits
        for n in range(100):
            await (a if n % 2 else b).emit("transcript_update", {"text": f"line {n}"})
        await until(lambda: "line 99" in transcript_text(w, sid))
        shown = [row.rsplit(": ", 1)[-1] for row in transcript_text(w, sid).splitlines() if row.strip()]
        session = gui.host.rooms.get(sid)
        assert session is not None and shown == [e["text"] for e in session.transcript]  # the host's order
        assert sorted(shown) == sorted(f"line {n}" for n in range(100))
        assert view.lines == 100 and view.edits - edits < 50  # not one layout and paint per line


async def test_500_conversations_an_event_touches_one_card_and_the_clock_only_those_in_sight(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_gui(data_dir, max_pairs=500) as gui:
        w = gui.window
        w.resize(1100, 700)
        rooms, now = gui.host.rooms, gui.host.now
        # The core seats 1,000 people as it does for sockets and the window hears them through
        # its bridge as always; these seats have no sockets, so the host has nothing to send.
        monkeypatch.setattr(gui.host, "enqueue", lambda send: None)
        for n in range(500):
            rooms.join(f"a{n}", parse_profile({"name": f"A{n}"}), now())
            rooms.join(f"b{n}", parse_profile({"name": f"B{n}"}), now())
        await until(lambda: len(w.slots.cards) == 500)
        ids = list(w.slots.cards)
        assert [s.session_id for s in rooms.sessions] == ids
        assert not w.slots.free.isVisibleTo(w)  # every place taken
        await until(lambda: w.slots.cards[ids[-1]].y() > 0)  # the layout has placed them all
        before = drawn(w)

        rooms.talk.add_line("a250", "a line in the middle", now())
        await until(lambda: "A250: a line in the middle" in transcript_text(w, ids[250]))
        assert changed(before, w) == set()

        rooms.talk.set_phase(ids[300], "deep_dive", now())
        await until(lambda: changed(before, w) == {ids[300]})  # drawn at the next turn
        assert w.slots.card(ids[300]).detail.text().startswith("deep dive")  # type: ignore[union-attr]

        rooms.end(ids[10], "host_ended", now())
        await until(lambda: changed(before, w) == {ids[300], ids[10]})
        assert slot(w, ids[10], "A")[2] == "ended"
        assert w.slots.free.isVisibleTo(w)  # a place is free again

        before = drawn(w)
        ticks = {sid: card.ticks for sid, card in w.slots.cards.items()}
        w._on_tick()
        moved = {sid for sid, card in w.slots.cards.items() if card.ticks != ticks[sid]}
        assert changed(before, w) == set()
        assert 1 <= len(moved) <= 6 and moved <= set(ids[:6])  # the cards in sight, at the top

        bar = w.slots.verticalScrollBar()
        bar.setValue(bar.maximum())  # the host scrolls to the last cards: their clocks catch up
        caught = {sid for sid, card in w.slots.cards.items() if card.ticks != ticks[sid]} - moved
        assert 1 <= len(caught) <= 6 and caught <= set(ids[-6:])
        assert changed(before, w) == set()
