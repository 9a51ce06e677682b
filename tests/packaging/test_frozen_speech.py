"""The frozen app transcribes speech: its bundled PocketSphinx model, in spawned worker processes."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from tests.integration.test_speech import heard, line_from, say
from tests.packaging.conftest import Build
from tests.packaging.frozen import launched, read
from tests.support import Peer

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(1200)]


def test_the_model_is_in_the_bundle(build: Build) -> None:
    model = next(build.app.rglob("pocketsphinx/model/en-us"))
    for name in ("en-us.lm.bin", "cmudict-en-us.dict", "en-us/mdef"):
        assert (model / name).is_file(), name
    assert not list(build.app.rglob("en-us-phone.lm.bin"))
    assert not list(build.app.rglob("sounddevice*"))


@pytest.mark.asyncio
async def test_frozen_headless_turns_speech_into_a_line(build: Build, tmp_path: Path) -> None:
    async with launched(
        [build.exe, "--headless", "--stt-workers", "1"], tmp_path / "data", log=tmp_path / "log"
    ) as app:
        a, b = Peer(app.url, app.ssl(), "a"), Peer(app.url, app.ssl(), "b")
        try:
            await a.connect(app.token)
            await b.connect(app.token)
            await a.join("Alice")
            await b.join("Bob")
            await a.wait_for("user_joined")
            await say(a, "sisters", speed=2.0)
            line = await line_from(b, "A", timeout=90)
            assert heard(line["text"], "sisters"), line
            # one worker process, started as a worker (freeze_support), not a second app
            children = psutil.Process(app.proc.pid).children(recursive=True)
            assert len(children) >= 1
            assert sum("Join URL" in out for out in app.lines) == 1
        finally:
            await a.close()
            await b.close()
        assert await app.terminate() == 0
    assert "Traceback" not in read(tmp_path / "log")
