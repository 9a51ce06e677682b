"""Safe to meet strangers, in the window: a report shows at once with Remove; Remove on a slot
card, a person in the queue or a name; Undo; who meets whom. Real host, real peers over TLS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from heartlink_desktop.gui.safety import ReportRow
from heartlink_desktop.gui.style import clock_time
from heartlink_desktop.gui.window import MainWindow
from heartlink_desktop.paths import Paths
from tests.gui.conftest import Gui, open_gui
from tests.gui.test_rounds_restored import crashed_evening
from tests.gui.test_sessions import slot
from tests.support import Peer, until

pytestmark = pytest.mark.asyncio

REMOVED = {"error": "removed", "message": "The host has removed you from this event."}


def confirm(w: MainWindow, name: str) -> None:
    """Say yes to the window's question, which must name the person."""
    box, yes = w.safety.confirm, w.safety.confirm_yes
    assert box is not None and yes is not None and box.isVisible()
    assert box.text() == f"Remove {name} from this event?"
    yes.click()


async def queued(peer: Peer, name: str, **profile: Any) -> None:
    await peer.emit("join", {"room": "matchmaking", "profile": {"name": name, **profile}})
    await peer.wait_for("queued")


async def refused_on_a_new_socket(gui: Gui, name: str) -> None:
    again = await gui.peers.new(f"{name} again")
    await again.emit("join", {"room": "matchmaking", "profile": {"name": name}})
    assert await again.error() == REMOVED


async def test_a_report_shows_at_once_and_its_remove_refuses_the_reported_one_and_ends_their_call(
    data_dir: Path,
) -> None:
    async with open_gui(data_dir) as gui:
        w = gui.window
        assert w.safety.no_reports.isVisibleTo(w) and not w.safety.report_rows
        ann, bob = await gui.peers.pair()
        await ann.emit("report", {"reason": "uncomfortable", "note": "<b>Rude</b>\nTwice."})
        await until(lambda: len(w.safety.report_rows) == 1)
        row: ReportRow = w.safety.report_rows[0]
        [report] = gui.host.guard.reports()
        assert row.who.text() == "Alice reported Bob"
        assert row.reason.text() == "made me uncomfortable"  # plain words, not the code
        assert row.note.text() == "“<b>Rude</b> Twice.”" and row.note.textFormat() == Qt.TextFormat.PlainText
        assert row.time.text() == clock_time(report.at) != ""
        assert row.isVisibleTo(w) and not w.safety.no_reports.isVisibleTo(w)
        assert w.statusBar().currentMessage() == "Report: Alice reported Bob (made me uncomfortable)."
        assert (await bob.wait_for("session_ended"))["reason"] == "peer_left"

        # Bob meets someone else; Remove beside the report ends that call and refuses him
        await bob.join("Bob")
        cat = await gui.peers.new("c")
        await cat.join("Cat")
        await cat.wait_for("session_info")
        assert cat.received["session_info"][0]["status"] == "active"
        row.remove.click()
        confirm(w, "Bob")
        assert await bob.error() == REMOVED
        assert (await cat.wait_for("session_ended"))["reason"] == "peer_left"
        await until(lambda: [r.label.text().split(" · ")[0] for r in w.safety.removed_rows] == ["Bob"])
        assert not row.remove.isEnabled() and row.remove.text() == "Removed"
        await refused_on_a_new_socket(gui, "bob")

        w.reset_button.click()  # the reports and removals are gone after a reset
        await until(lambda: not w.safety.report_rows and not w.safety.removed_rows)
        assert w.safety.no_reports.isVisibleTo(w) and not w.safety.removed_box.isVisibleTo(w)


async def test_remove_on_a_queued_person_and_on_a_slot_card(data_dir: Path) -> None:
    async with open_gui(data_dir, queue=True) as gui:
        w = gui.window
        ann, bob = await gui.peers.pair()
        sid = ann.received["session_info"][0]["session_id"]
        cat, dan = await gui.peers.new("c"), await gui.peers.new("d")
        await queued(cat, "<i>Cat</i>")
        await queued(dan, "Dan")
        await until(lambda: w.line.people.count() == 2)
        assert w.line.isVisibleTo(w) and w.line.title.text() == "Waiting in the queue: 2 people"
        assert w.line.people.item(0).text().startswith("1. <i>Cat</i>")  # as typed: plain text
        assert not w.line.remove.isEnabled()  # nobody chosen yet

        w.line.choose(cat.sid)
        w.line.remove.click()
        confirm(w, "<i>Cat</i>")
        assert await cat.error() == REMOVED
        await until(lambda: w.line.people.count() == 1)
        assert w.line.people.item(0).text().startswith("1. Dan")

        card = w.slots.card(sid)
        assert card is not None and card.slots["B"].remove.isVisibleTo(w)
        said: list[tuple[str, str]] = []
        w.safety.removing.connect(lambda *who: said.append(who))
        card.slots["B"].remove.click()
        box = w.safety.confirm
        assert box is not None and box.text() == "Remove Bob from this event?"
        box.button(QMessageBox.StandardButton.Cancel).click()  # changed their mind: nothing happens
        assert said == [] and gui.host.rooms.locate(bob.sid) is not None

        card.slots["B"].remove.click()
        confirm(w, "Bob")
        assert said == [(bob.sid, "Bob")]
        assert await bob.error() == REMOVED
        assert (await ann.wait_for("session_ended"))["reason"] == "peer_left"
        await until(lambda: slot(w, sid, "A")[2] == "ended")
        assert not card.slots["A"].remove.isVisibleTo(w)  # nobody left to remove on an ended card
        await dan.wait_for("session_info")  # the place Bob's conversation held goes to the next in line
        await until(lambda: not w.line.isVisibleTo(w))
        assert sorted(r.name for r in w.safety.removed_rows) == ["<i>Cat</i>", "Bob"]


async def test_remove_by_name_someone_gone_and_undo_lets_them_join_again(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        w = gui.window
        eve = await gui.peers.new("e")
        await eve.join("Eve")
        await eve.close()  # gone: removing still works, by name
        await until(lambda: not gui.host.rooms.sessions)
        w.safety.name.setText("  eve ")
        w.safety.remove_by_name.click()
        confirm(w, "eve")
        await until(lambda: len(w.safety.removed_rows) == 1)
        assert w.safety.removed_rows[0].name == "Eve" and w.safety.removed_box.isVisibleTo(w)
        assert w.statusBar().currentMessage().startswith("Removed Eve")
        await refused_on_a_new_socket(gui, "Eve")

        w.safety.removed_rows[0].undo.click()
        await until(lambda: not w.safety.removed_rows)
        assert gui.host.guard.removals() == [] and w.statusBar().currentMessage() == "Eve may join again."
        back = await gui.peers.new("e back")
        assert (await back.join("Eve"))["role"] == "A"

        w.safety.name.setText("Zed")
        w.safety.remove_by_name.click()
        confirm(w, "Zed")
        await until(lambda: "Nobody called 'Zed' is here." in w.statusBar().currentMessage())


async def test_who_meets_whom_is_switched_in_the_window_and_changes_who_is_seated(data_dir: Path) -> None:
    async with open_gui(data_dir, max_pairs=3) as gui:
        w = gui.window
        mode = w.safety.mode
        assert mode.currentData() == "preferences" and mode.currentText() == "By each person's preferences"
        first, second = await gui.peers.new("w1"), await gui.peers.new("w2")
        one = await first.join("Ann", gender="woman", meet=["men"])
        two = await second.join("Eve", gender="woman", meet=["men"])
        assert two["status"] == "waiting" and two["session_id"] != one["session_id"], "not seated together"

        i = mode.findData("everyone")
        mode.setCurrentIndex(i)
        mode.activated.emit(i)  # as a host's choice arrives
        assert gui.host.guard.mode == "everyone" and w.bridge.status.meet_mode == "everyone"
        assert Paths(data_dir).load_settings()["meet_mode"] == "everyone"  # and at the next start
        third = await gui.peers.new("w3")
        three = await third.join("Ida", gender="woman", meet=["men"])
        assert three["status"] == "active" and three["session_id"] == one["session_id"]  # waited longest

        gui.host.guard.set_mode("preferences")  # changed elsewhere (it is the host's): the window follows
        assert mode.currentData() == "preferences"


async def test_the_window_opens_on_the_saved_mode(data_dir: Path) -> None:
    async with open_gui(data_dir, meet_mode="everyone") as gui:
        assert gui.window.safety.mode.currentData() == "everyone"


async def test_after_a_crash_the_window_shows_the_reports_and_removals_the_evening_kept(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    crashed_evening(data)
    kept = json.loads((data / "evening.json").read_text())
    at = "2026-12-01T20:05:00+00:00"
    report = {"reporter": "p0", "reported": "p1", "reason": "fake", "note": "", "at": at}
    kept["safety"] = {
        "reports": [{**report, "reporter_name": "P0", "reported_name": "P1"}],
        "blocked": [["p0", "p1"]],
        "removals": [{"person": "p1", "name": "P1", "at": at}],
    }
    (data / "evening.json").write_text(json.dumps(kept))
    async with open_gui(data, rounds=3) as gui:
        w = gui.window
        await until(lambda: len(w.safety.report_rows) == 1 and len(w.safety.removed_rows) == 1)
        row = w.safety.report_rows[0]
        assert (row.who.text(), row.reason.text()) == ("P0 reported P1", "fake profile")
        assert row.remove.text() == "Removed" and w.safety.removed_rows[0].name == "P1"
