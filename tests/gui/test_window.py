"""Closing, a busy port, settings that persist, About, the facilitator, reclaim and the line."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from heartlink_desktop import __version__
from heartlink_desktop.paths import Paths
from heartlink_desktop.settings import parse_args
from tests.gui.conftest import open_gui
from tests.gui.test_join import decode
from tests.gui.test_sessions import slot, transcript_text
from tests.support import WAIT, Clients, until

pytestmark = pytest.mark.asyncio


async def test_closing_the_window_ends_sessions_politely_and_stops_the_server(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        a, b = await gui.peers.pair()
        sid = a.received["session_info"][0]["session_id"]
        port = gui.host.port
        assert port
        await until(gui.host.store.path(sid).exists)  # files are written off the loop

        gui.window.close()
        assert await asyncio.wait_for(gui.task, WAIT) == 0
        for peer in (a, b):
            assert (await peer.wait_for("session_ended"))["reason"] == "host_stopped"
        assert gui.host.store.files() == []
        with pytest.raises(OSError):  # nothing listens on the port any more
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()


async def test_a_busy_port_is_said_in_plain_words_and_another_is_offered(data_dir: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        async with open_gui(data_dir, port=busy, wait_running=False) as gui:
            w = gui.window
            await until(lambda: w.status.other_port.isVisibleTo(w))
            assert not w.bridge.running
            assert w.status.error.text().startswith(f"Port {busy} is already in use by another program")
            assert "Traceback" not in w.status.error.text()
            assert w.join.addresses.currentData() == gui.host.address  # what the link will use
            assert w.join.qr.text() == ""  # no code for a server that is not there
            offer = int(w.status.other_port.text().removeprefix("Use port "))
            assert offer != busy

            w.status.other_port.click()
            await until(lambda: w.bridge.running)
            host = gui.host
            assert host.port == offer
            assert w.join.url.text() == host.join_url and f":{offer}/" in host.join_url
            assert decode(w.join.qr) == [host.join_url]
            assert "already in use" not in w.status.error.text() and w.status.other_port.isHidden()
            assert f"Listening on 127.0.0.1:{offer}" in w.status.state.text()
            assert Paths(data_dir).load_settings()["port"] == offer  # used next time too

            peers = Clients(host)
            try:
                info = await (await peers.new("a")).join("Alice")
                await until(lambda: w.slots.card(info["session_id"]) is not None)
            finally:
                await peers.close()


async def test_settings_changed_in_the_window_persist(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        w = gui.window
        i = w.spiciness.findData(4)
        w.spiciness.setCurrentIndex(i)
        w.spiciness.activated.emit(i)  # as a host's choice arrives
        assert gui.host.rooms.spiciness == 4

        dialog = w.open_settings()
        dialog.port.setValue(9123)
        dialog.max_pairs.setValue(3)
        dialog._save()
        assert not dialog.isVisible()

        w.join.address_chosen.emit("127.0.0.1")
        assert gui.host.address == "127.0.0.1"
        await until(lambda: w.join.url.text() == gui.host.join_url)
        assert w.join.url.text().startswith("https://127.0.0.1:")

    saved = Paths(data_dir).load_settings()
    assert saved == {"spiciness": 4, "port": 9123, "max_pairs": 3, "address": "127.0.0.1"}
    again = parse_args(["--data-dir", str(data_dir)], saved)
    assert (again.spiciness, again.port, again.max_pairs, again.address) == (4, 9123, 3, "127.0.0.1")


async def test_about_names_the_version(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        box = gui.window.open_about()
        assert f"HeartLink Desktop {__version__}" in box.text()
        assert str(gui.paths.data) in box.text()
        box.close()


async def test_certificate_regenerate_issues_a_new_one(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        cert = gui.window.cert
        before = cert.fingerprint.text()
        cert.regen.click()
        await until(lambda: cert.fingerprint.text() != before)
        assert gui.host.cert is not None and cert.fingerprint.text() == gui.host.cert.short_fingerprint
        assert cert.coverage.text().startswith("✓ Covers")


async def test_the_certificate_panel_warns_when_the_address_is_not_covered(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        cert = gui.window.cert
        assert gui.host.cert is not None
        cert.show_status(gui.host.cert, "10.250.0.9", 8765)
        assert cert.coverage.text().startswith("⚠ 10.250.0.9 is not in the certificate")
        assert cert.regen.isVisibleTo(gui.window)
        assert cert.ca_url.text() == "https://10.250.0.9:8765/ca.crt"


async def test_ask_the_facilitator_puts_a_line_in_the_transcript(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        w = gui.window
        a, _ = await gui.peers.pair()
        sid = a.received["session_info"][0]["session_id"]
        await until(lambda: w.ask_button.isEnabled())
        before = sum(1 for e in w.model.views[sid].transcript if e["speaker"] == "AI")
        w.ask_button.click()
        await until(lambda: sum(1 for e in w.model.views[sid].transcript if e["speaker"] == "AI") > before)
        ai: list[Any] = [e for e in w.model.views[sid].transcript if e["speaker"] == "AI"]
        await until(lambda: ai[-1]["text"] in transcript_text(w, sid))  # lines are shown in batches
        assert (await a.wait_for("ai_interjection"))["text"]


async def test_a_dropped_phone_shows_reconnecting_then_back_in_call(data_dir: Path) -> None:
    async with open_gui(data_dir, grace_seconds=30) as gui:
        w = gui.window
        a, _ = await gui.peers.pair()
        info = a.received["session_info"][0]
        sid, secret = info["session_id"], info["resume"]
        await until(lambda: slot(w, sid, "A")[2] == "in call")
        since = w.model.views[sid].slots["A"].since

        await a.close()
        await until(lambda: slot(w, sid, "A")[2] == "reconnecting")
        assert slot(w, sid, "B")[2] == "in call" and slot(w, sid, "A")[0] == "Alice"

        await gui.peers.new("a again", resume=secret)
        await until(lambda: slot(w, sid, "A")[2] == "in call")
        assert w.model.views[sid].slots["A"].since == since  # the same person's time goes on


async def test_the_status_counts_people_waiting_in_the_line(data_dir: Path) -> None:
    async with open_gui(data_dir, queue=True) as gui:
        w = gui.window
        await gui.peers.pair()
        c = await gui.peers.new("c")
        await c.emit("join", {"room": "matchmaking", "profile": {"name": "Carol"}})
        await c.wait_for("queued")
        await until(lambda: w.status.counts.text().endswith("1 waiting in the queue"))
        await c.emit("leave")
        await until(lambda: "waiting" not in w.status.counts.text())


async def test_with_more_pairs_each_conversation_has_its_own_card(data_dir: Path) -> None:
    async with open_gui(data_dir, max_pairs=2) as gui:
        w = gui.window
        a1, _ = await gui.peers.pair()
        first = a1.received["session_info"][0]["session_id"]
        await until(lambda: w.slots.card(first) is not None)
        assert w.slots.free.isVisibleTo(w)  # room for one more pair
        a2, _ = await gui.peers.pair()
        second = a2.received["session_info"][0]["session_id"]
        await until(lambda: w.slots.card(second) is not None)
        assert not w.slots.free.isVisibleTo(w)
        assert w.slots.card(first).title.text() == "Conversation 1"  # type: ignore[union-attr]
        assert w.slots.card(second).title.text() == "Conversation 2"  # type: ignore[union-attr]
        assert w.status.counts.text().startswith("4 phones connected · 2 of 2 conversations live")


async def test_without_a_data_dir_settings_go_to_the_user_config_folder(tmp_path: Path) -> None:
    from heartlink_desktop.app import build_host
    from heartlink_desktop.gui.bridge import Bridge
    from heartlink_desktop.settings import Settings

    bridge = Bridge(Settings(host="127.0.0.1", port=0).validate(), Paths(), build_host)
    assert bridge.save(spiciness=3, max_pairs=2)
    saved = tmp_path / "home" / ".config" / "heartlink-desktop" / "settings.json"  # XDG_CONFIG_HOME here
    assert saved.exists() and Paths().load_settings() == {"spiciness": 3, "max_pairs": 2}


async def test_closing_while_the_port_is_busy_just_quits(data_dir: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        async with open_gui(data_dir, port=blocker.getsockname()[1], wait_running=False) as gui:
            await until(lambda: gui.window.status.other_port.isVisibleTo(gui.window))
            gui.window.close()
            assert await asyncio.wait_for(gui.task, WAIT) == 0
