"""The level meter: a microphone that speaks, then falls silent, is reported to the host."""

from __future__ import annotations

import itertools
import math
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import chromium, join

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]
RATE = 48_000


def voice_file(path: Path) -> Path:
    """One second of a tone about as loud as a voice (-13 dBFS), then three seconds of silence."""
    samples = [int(0.3 * 32767 * math.sin(2 * math.pi * 220 * i / RATE)) for i in range(RATE)]
    samples += [0] * (3 * RATE)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose fake microphone plays the file above, over and over."""
    wav = voice_file(tmp_path_factory.mktemp("audio") / "voice.wav")
    with chromium(f"--use-file-for-fake-audio-capture={wav}") as b:
        yield b


SPY_EMITS = """() => {
  const socket = window.heartlink.socket;
  window.sent = [];
  const emit = socket.emit.bind(socket);
  socket.emit = (event, ...args) => { window.sent.push([event, ...args]); return emit(event, ...args); };
}"""

PROBE = """() => {
  const track = window.heartlink.localStream.getAudioTracks()[0].clone();
  track.enabled = true;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  window.probeLevel = () => {
    analyser.getFloatTimeDomainData(buf);
    return Math.sqrt(buf.reduce((s, v) => s + v * v, 0) / buf.length);
  };
}"""

SPEAKING = "() => window.sent.filter(([e]) => e === 'audio_activity').map(([, d]) => d.speaking)"


def test_speaking_and_silence_are_sent_on_changes_and_mute_is_silence(phone: Phone) -> None:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    alice.evaluate(SPY_EMITS)
    alice.wait_for_function(f"() => ({SPEAKING})().join() .includes('true,false,true')")
    changes = alice.evaluate(SPEAKING)
    assert all(a != b for a, b in itertools.pairwise(changes)), changes  # changes only, no repeats

    alice.click("#btn-mic")
    expect(alice.locator("#btn-mic")).to_have_attribute("aria-pressed", "true")
    expect(alice.locator("#btn-mic")).to_have_text("🎙️ Unmute")
    assert alice.evaluate("window.heartlink.localStream.getAudioTracks().every(t => !t.enabled)")
    alice.wait_for_function(f"() => ({SPEAKING})().at(-1) === false")
    count = len(alice.evaluate(SPEAKING))
    # a probe on an enabled clone of the muted track hears the file: wait for a loud second
    alice.evaluate(PROBE)
    alice.wait_for_function("() => window.probeLevel() > 0.1")
    alice.wait_for_function("() => window.probeLevel() < 0.01")
    assert len(alice.evaluate(SPEAKING)) == count  # muted, nothing was sent while it was loud
