"""The window's evening of rounds under pytest-qt: the mode switch, the countdown, start/next/end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import open_gui
from tests.support import until

pytestmark = pytest.mark.asyncio


async def join_evening(gui, name: str):  # type: ignore[no-untyped-def]
    peer = await gui.peers.new(name)
    await peer.emit("join", {"room": "matchmaking", "profile": {"name": name}})
    await peer.wait_for("evening_joined")
    return peer


async def test_the_mode_switch_turns_an_evening_on_and_the_buttons_run_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with open_gui(tmp_path / "data") as gui:
        panel = gui.window.rounds
        assert not panel.enabled.isChecked() and not panel.start_button.isEnabled()
        assert panel.state.text().startswith("Off:")
        panel.rounds.setValue(2)
        panel.minutes.setValue(1.0)
        panel.enabled.setChecked(True)  # the host clicks the switch
        await until(lambda: gui.host.evening is not None and panel.start_button.isEnabled())
        assert gui.host.evening is not None and gui.host.evening.evening.rounds == 2
        assert gui.host.evening.evening.round_seconds == 60
        assert not panel.rounds.isEnabled(), "the plan is fixed while the evening is on"
        assert panel.state.text() == "In the lobby: 0 people waiting. Press Start."
        assert "of 1 conversation" not in gui.window.status.counts.text()

        ann, bob = await join_evening(gui, "Ann"), await join_evening(gui, "Bob")
        await until(lambda: panel.state.text().startswith("In the lobby: 2 people"))
        panel.start_button.click()
        await ann.wait_for("session_info")
        await until(lambda: panel.state.text().startswith("Round 1 of 2 · "))
        assert "left · 1 conversation" in panel.state.text()
        first = panel.left()
        assert first is not None and 55 < first <= 60
        await until(lambda: (panel.left() or 60) < first - 0.4)  # the countdown runs on its own
        assert panel.next_button.isEnabled() and not panel.start_button.isEnabled()
        assert not panel.enabled.isEnabled(), "the mode cannot change mid-evening"
        assert panel.counts.text() == "Answers to “again?”: 0 · mutual matches: 0"

        panel.next_button.click()  # the round ends for both at once
        asked = await ann.wait_for("again_asked")
        await bob.wait_for("again_asked")
        await until(lambda: panel.state.text().startswith("Break after round 1 of 2 · next round in "))
        for peer in (ann, bob):
            await peer.emit("again_answer", {"session_id": asked["session_id"], "yes": True})
        await until(lambda: panel.counts.text() == "Answers to “again?”: 2 · mutual matches: 1")

        panel.end_button.click()
        await ann.wait_for("evening_ended")
        await until(lambda: panel.state.text() == "The evening is over: 1 round held.")
        assert panel.enabled.isEnabled()
        panel.enabled.setChecked(False)
        await until(lambda: gui.host.evening is None and panel.state.text().startswith("Off:"))


async def test_an_evening_cannot_start_over_live_conversations(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with open_gui(tmp_path / "data") as gui:
        await gui.peers.pair()
        notices: list[str] = []
        gui.window.bridge.notice.connect(notices.append)
        gui.window.rounds.enabled.setChecked(True)
        await until(lambda: bool(notices))
        assert notices == ["Conversations are going on: end them (or Reset) before an evening."]
        assert gui.host.evening is None and not gui.window.rounds.enabled.isChecked()


async def test_started_with_rounds_the_window_shows_the_evening(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async with open_gui(tmp_path / "data", rounds=4, round_minutes=2.5) as gui:
        panel = gui.window.rounds
        assert panel.enabled.isChecked() and panel.rounds.value() == 4 and panel.minutes.value() == 2.5
        assert panel.start_button.isEnabled()
