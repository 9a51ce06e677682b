"""The Present view: the join code full screen for a projector, the link in large type, and
during an evening the round, its countdown and how many are here."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.gui.conftest import open_gui
from tests.gui.test_join import decode
from tests.gui.test_rounds import join_evening
from tests.support import until

pytestmark = pytest.mark.asyncio


async def test_present_fills_the_screen_with_a_code_that_decodes_to_the_join_url(
    qtbot, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    async with open_gui(data_dir) as gui:
        url = gui.host.join_url
        gui.window.join.present.click()  # one button in
        view = gui.window.present_view
        screen = QGuiApplication.primaryScreen().geometry()
        await until(lambda: view.isFullScreen() and view.size() == screen.size())
        assert decode(view.qr) == [url]
        assert decode(view) == [url]  # the whole view, as the room sees it
        assert view.link.text() == url
        # the code takes most of the screen; the link is large type
        assert min(view.qr.width(), view.qr.height()) >= 0.6 * screen.height()
        assert view.link.font().pixelSize() >= round(0.04 * screen.height())
        assert view.evening.isHidden(), "no evening: nothing but the code and the link"
        qtbot.keyClick(view, Qt.Key.Key_Escape)  # Esc out
        await until(lambda: not view.isVisible())
        assert gui.window.isVisible()


async def test_during_an_evening_it_shows_the_round_its_countdown_and_who_is_here(
    qtbot, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    async with open_gui(data_dir, rounds=2, round_minutes=1.0) as gui:
        view = gui.window.present()
        await until(lambda: view.isVisible())
        ann, _bob, _cat = [await join_evening(gui, n) for n in ("Ann", "Bob", "Cat")]
        await until(lambda: view.evening.text() == "Scan to join · Round 1 starts soon · 3 here")
        gui.window.rounds.start_button.click()
        await ann.wait_for("evening_status")
        await until(lambda: view.evening.text().startswith("Round 1 of 2 · "))
        assert view.evening.text().endswith(" left · 3 here")
        first = view.left()
        assert first is not None and 55 < first <= 60
        await until(lambda: (view.left() or 60) < first - 0.6)  # the countdown runs on its own
        assert decode(view) == [gui.host.join_url], "the code stays on screen during the evening"
        qtbot.keyClick(view, Qt.Key.Key_F5)  # the same key in and out
        await until(lambda: not view.isVisible())
