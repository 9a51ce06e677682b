"""The Whisper engine on real recordings the set-up installs (Debian's Asterisk prompts and
ALSA's sounds): their words come back, noise and silence give nothing, a damaged or missing
model is refused with its reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from heartlink_desktop.speech import whisper
from tests import speech


@pytest.fixture(scope="module")
def model() -> whisper.Whisper:
    return whisper.Whisper(threads=1)


@pytest.mark.parametrize("name", ["vm-intro", "privacy-unident", "conf-placeintoconf"])
def test_a_real_recording_comes_back_as_its_words(model: whisper.Whisper, name: str) -> None:
    pcm, words = speech.prompt(name)
    heard = model.heard(pcm)
    assert speech.wer(words, heard.text) <= 0.2, (words, heard)  # telephone audio: "you are" as "or"


def test_another_voice_at_another_rate_is_heard_too(model: whisper.Whisper) -> None:
    heard = model.heard(speech.decode_file(speech.ALSA / "Front_Center.wav"))
    assert speech.normal_words(heard.text) == ["front", "center"], heard


def test_noise_and_silence_give_no_text(model: whisper.Whisper) -> None:
    noise = model.heard(speech.decode_file(speech.NOISE))
    assert noise.text == "" and noise.dropped == "no speech", noise
    silence = model.heard(bytes(3 * 32_000))  # it says "you" to silence unless judged no speech
    assert silence.text == "", silence


def test_tokens_become_text_byte_by_byte() -> None:
    assert whisper.detokenize(["ĠHello", ",", "Ġworld", "<|endoftext|>"]) == "Hello, world"
    assert whisper.detokenize(["Ġcaf", "Ã©"]) == "café"


def test_a_loop_is_dropped_by_its_compression() -> None:
    assert whisper.compression("or, " * 40) > whisper.MAX_COMPRESSION
    assert whisper.compression("Please leave your message after the tone.") < whisper.MAX_COMPRESSION


def copy_model(to: Path) -> Path:
    for name in whisper.MODEL_FILES:
        shutil.copyfile(whisper.model_dir() / name, to / name)
    return to


def test_a_changed_model_file_is_refused_with_its_name(tmp_path: Path) -> None:
    folder = copy_model(tmp_path)
    with (folder / "model.bin").open("r+b") as f:  # one byte changed, far into the weights
        f.seek(40_000_000)
        byte = f.read(1)
        f.seek(40_000_000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(whisper.ModelError) as info:
        whisper.Whisper(folder)
    assert "model.bin" in str(info.value) and "not the one" in str(info.value)


def test_a_missing_model_is_named_before_anything_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert whisper.available() == ""
    monkeypatch.setenv(whisper.DIR_ENV, str(tmp_path))
    assert whisper.available() == "the Whisper model file model.bin is missing"
    with pytest.raises(whisper.ModelError, match="cannot be read"):
        whisper.Whisper()
