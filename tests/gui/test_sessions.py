"""Slots and transcripts follow real clients; End and Reset do what they say."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import socketio
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QFileDialog

from heartlink_desktop.gui.style import FACILITATOR_BACKGROUND, SPEAKER_COLOURS
from heartlink_desktop.gui.window import MainWindow
from tests.gui.conftest import open_gui
from tests.gui.test_join import decode
from tests.support import Peer, until

pytestmark = pytest.mark.asyncio


def slot(window: MainWindow, session_id: str, role: str) -> tuple[str, str, str]:
    """What a slot's card shows; empty while the card is not drawn yet (within CARDS_MS)."""
    card = window.slots.card(session_id)
    if card is None:
        return ("", "", "")
    s = card.slots[role]
    return s.name.text(), s.profile.text(), s.state.text()


def transcript_text(window: MainWindow, session_id: str) -> str:
    view = window.transcript.view(session_id)
    return view.toPlainText() if view is not None else ""


async def test_slots_fill_as_people_join_and_empty_as_they_leave(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        monkeypatch.setattr(MainWindow, "LINGER_MS", 300)
        w = gui.window
        assert w.slots.free.isVisibleTo(w) and not w.slots.cards
        assert w.slots.free.slots["A"].state.text() == "empty"

        a = await peers.new("a")
        info = await a.join("Alice", age=29, personality_type="extrovert", hobbies=["hiking", "jazz"])
        sid = info["session_id"]
        await until(lambda: w.slots.card(sid) is not None)
        assert slot(w, sid, "A") == ("Alice", "29 · extrovert · hiking, jazz", "waiting")
        assert slot(w, sid, "B")[2] == "empty"
        assert not w.slots.free.isVisibleTo(w)  # one pair at most: no free place left

        b = await peers.new("b")
        await b.join("Bob", interests=["film"])
        await until(lambda: slot(w, sid, "B")[2] == "in call")
        assert slot(w, sid, "A") == ("Alice", "29 · extrovert · hiking, jazz", "in call")
        assert slot(w, sid, "B") == ("Bob", "film", "in call")
        await until(lambda: w.slots.card(sid).slots["A"].time.text() != "")  # type: ignore[union-attr]
        assert w.slots.card(sid).slots["A"].time.text().startswith("0:0")  # type: ignore[union-attr]

        await b.emit("leave")
        await until(lambda: slot(w, sid, "B")[2] == "left")
        assert slot(w, sid, "A")[2] == "ended"
        await until(lambda: w.slots.card(sid) is None)  # the card goes after a moment
        assert w.slots.free.isVisibleTo(w)
        assert "(ended)" in w.transcript.picker.itemText(w.transcript.picker.findData(sid))

        # a dropped connection empties the slot too
        c = await peers.new("c")
        info2 = await c.join("Carol")
        await until(lambda: w.slots.card(info2["session_id"]) is not None)
        await c.close()
        await until(lambda: w.slots.card(info2["session_id"]) is None)
        assert w.model.live() == []


async def test_transcript_lines_appear_coloured_and_a_markup_name_shows_literally(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        w = gui.window
        a, b = await peers.new("a"), await peers.new("b")
        info = await a.join("<b>x</b>", hobbies=["<i>tea</i>"])
        await b.join("Bob")
        sid = info["session_id"]
        await until(lambda: slot(w, sid, "B")[2] == "in call")
        assert slot(w, sid, "A")[:2] == ("<b>x</b>", "<i>tea</i>")
        card = w.slots.card(sid)
        assert card is not None and card.slots["A"].name.textFormat() == Qt.TextFormat.PlainText

        await a.emit("transcript_update", {"text": "hello <a href='x'>there</a> & you"})
        await b.emit("transcript_update", {"text": "hi!"})
        await until(lambda: "Bob: hi!" in transcript_text(w, sid))
        text = transcript_text(w, sid)
        assert "<b>x</b>: hello <a href='x'>there</a> & you" in text
        assert text.index("<b>x</b>: hello") < text.index("Bob: hi!")
        view = w.transcript.view(sid)
        assert view is not None and w.transcript.current() == sid

        # the speakers' names are in their colours
        doc = view.document()
        found = doc.find("<b>x</b>:")
        assert found.charFormat().foreground().color() == QColor(SPEAKER_COLOURS["A"])
        found = doc.find("Bob:")
        assert found.charFormat().foreground().color() == QColor(SPEAKER_COLOURS["B"])

        # the facilitator's line is set apart: its own background, italic
        gui.host.rooms.talk.add_interjection(sid, "What made you both smile today?", gui.host.now())
        await until(lambda: "What made you both smile today?" in transcript_text(w, sid))
        found = doc.find("What made you both smile today?")
        assert found.charFormat().fontItalic()
        assert found.block().blockFormat().background().color() == QColor(FACILITATOR_BACKGROUND)
        assert not doc.find("Bob:").block().blockFormat().background().color() == QColor(
            FACILITATOR_BACKGROUND
        )


async def test_transcript_follows_new_lines_unless_the_host_scrolled_up(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        w = gui.window
        w.resize(1000, 600)
        a, b = await peers.pair()
        sid = a.received["session_info"][0]["session_id"]
        for n in range(60):
            await (a if n % 2 else b).emit("transcript_update", {"text": f"line {n}"})
        await until(lambda: "line 59" in transcript_text(w, sid))
        view = w.transcript.view(sid)
        assert view is not None
        bar = view.verticalScrollBar()
        await until(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())  # followed

        bar.setValue(0)  # the host scrolls up to read
        await a.emit("transcript_update", {"text": "a line while reading"})
        await until(lambda: "a line while reading" in transcript_text(w, sid))
        await asyncio.sleep(0.05)  # any deferred layout has run
        assert bar.value() == 0 and not view.following

        bar.setValue(bar.maximum())  # back at the bottom: follows again
        await b.emit("transcript_update", {"text": "the last line"})
        await until(lambda: "the last line" in transcript_text(w, sid))
        await until(lambda: bar.value() == bar.maximum() and view.following)
        cursor = QTextCursor(view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        assert cursor.block().text().endswith("Bob: the last line")


async def test_export_writes_markdown_and_json_to_the_chosen_file(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        w = gui.window
        a, b = await peers.new("a"), await peers.new("b")
        info = await a.join("<b>x</b>", age=30)
        await b.join("Bob")
        sid = info["session_id"]
        await a.emit("transcript_update", {"text": "# not a heading [link](http://evil)"})
        await b.emit("transcript_update", {"text": "plain words"})
        await until(lambda: "plain words" in transcript_text(w, sid))

        target = {"md": tmp_path / "out" / "talk.md", "json": tmp_path / "out" / "talk.json"}
        target["md"].parent.mkdir()
        chosen: list[str] = []

        def save_name(parent: object, title: str, default: str, filters: str) -> tuple[str, str]:
            chosen.append(filters)
            return (str(target["md"] if "Markdown" in filters else target["json"]), filters)

        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
        w.transcript.export_md.click()
        w.transcript.export_json.click()
        assert len(chosen) == 2

        md = target["md"].read_text("utf-8")
        assert md.startswith("# HeartLink conversation 1")
        assert "\\<b\\>x\\</b\\>" in md and "<b>" not in md  # literal in any Markdown viewer
        assert "\\# not a heading \\[link\\]\\(http://evil\\)" in md
        assert "Bob:** plain words" in md

        data = json.loads(target["json"].read_text("utf-8"))
        assert data["session_id"] == sid
        assert [(e["speaker"], e["name"], e["text"]) for e in data["transcript"]] == [
            ("A", "<b>x</b>", "# not a heading [link](http://evil)"),
            ("B", "Bob", "plain words"),
        ]
        assert data["participant_profiles"]["A"]["age"] == 30
        assert target["json"].stat().st_mode & 0o077 == 0  # private to this user


async def test_end_session_ends_the_selected_conversation_for_both_phones(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        w = gui.window
        a, b = await peers.pair()
        sid = a.received["session_info"][0]["session_id"]
        store = gui.host.store
        await until(lambda: store.path(sid).exists())
        await until(lambda: w.end_button.isEnabled())
        assert w.transcript.current() == sid

        w.end_button.click()
        for peer in (a, b):
            ended = await peer.wait_for("session_ended")
            assert ended["session_id"] == sid and ended["reason"] == "host_ended"
        await until(lambda: w.model.views[sid].ended)
        assert not store.path(sid).exists()
        await until(lambda: not w.end_button.isEnabled())
        assert gui.host.rooms.sessions == []


async def test_reset_ends_everything_deletes_files_and_rotates_the_link(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        peers = gui.peers
        w = gui.window
        host = gui.host
        a, b = await peers.pair()
        await a.emit("transcript_update", {"text": "something private"})
        sid = a.received["session_info"][0]["session_id"]
        await until(lambda: "something private" in transcript_text(w, sid))
        old_token, old_url = host.token, host.join_url
        assert list(host.store.files())

        w.reset_button.click()
        for peer in (a, b):
            assert (await peer.wait_for("session_ended"))["reason"] == "reset"
        await until(lambda: host.token != old_token and w.join.url.text() == host.join_url)
        new_url = host.join_url
        assert new_url != old_url
        assert decode(w.join.qr) == [new_url]  # the QR was redrawn
        assert host.store.files() == [] and list(host.paths.sessions.iterdir()) == []
        await until(lambda: w.transcript.picker.count() == 0 and not w.slots.cards)
        assert w.model.views == {}

        # the old link is refused; the new one works
        stale = Peer(peers.url, peers.ssl(), "stale")
        try:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await stale.connect(old_token)
        finally:
            await stale.close()
        fresh = await peers.new("fresh")
        info = await fresh.join("Dana")
        assert info["role"] == "A"


async def test_an_ended_conversation_says_why_its_clocks_stop_and_the_next_one_is_shown(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainWindow, "LINGER_MS", 60_000)
    async with open_gui(data_dir) as gui:
        w = gui.window
        a, b = await gui.peers.pair()
        first = a.received["session_info"][0]["session_id"]
        await until(lambda: w.transcript.current() == first)
        w.end_button.click()
        await a.wait_for("session_ended")
        await until(lambda: "Conversation ended: ended by the host." in transcript_text(w, first))
        stopped = w.model.views[first].slots["A"].until
        assert stopped is not None
        later = stopped.replace(year=stopped.year + 1)
        assert w.model.views[first].slots["A"].seconds(later) == w.model.views[first].slots["A"].seconds(
            stopped
        )

        await a.join("Alice")
        info = await b.join("Bob")
        second = info["session_id"]
        await until(lambda: w.transcript.current() == second)  # the live one, not the ended one
        assert w.end_button.isEnabled()
        card = w.slots.card(first)
        assert card is not None and card.detail.text().startswith("ended")
