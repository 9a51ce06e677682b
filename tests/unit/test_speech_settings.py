"""The speech-to-text options: engines, the remote endpoint, workers."""

from __future__ import annotations

import pytest

from heartlink_desktop.settings import SettingsError, parse_args
from heartlink_desktop.speech.remote import endpoint


def test_whisper_on_this_computer_is_the_default_and_pocketsphinx_can_be_chosen() -> None:
    s = parse_args([])
    assert s.stt == "whisper" and s.stt_engine == "whisper" and s.stt_workers is None
    assert parse_args(["--stt", "pocketsphinx"]).stt_engine == "pocketsphinx"


def test_a_url_means_the_remote_engine_and_off_stays_off() -> None:
    assert parse_args(["--stt-url", "http://127.0.0.1:8000/v1"]).stt_engine == "openai"
    # the window keeps "pocketsphinx" when the service is chosen there
    assert parse_args(["--stt", "pocketsphinx", "--stt-url", "http://h:8000"]).stt_engine == "openai"
    assert parse_args(["--stt", "off", "--stt-url", "http://127.0.0.1:8000"]).stt_engine == "off"
    s = parse_args(
        ["--stt", "openai", "--stt-url", "https://h/v1", "--stt-model", "whisper-1", "--stt-workers", "3"]
    )
    assert (s.stt_engine, s.stt_model, s.stt_workers) == ("openai", "whisper-1", 3)


@pytest.mark.parametrize(
    "argv",
    [
        ["--stt", "google"],
        ["--stt", "openai"],
        ["--stt-url", "ftp://h"],
        ["--stt-workers", "0"],
        ["--stt-workers", "99"],
    ],
)
def test_bad_speech_options_are_refused_in_one_line(argv: list[str]) -> None:
    with pytest.raises(SettingsError) as info:
        parse_args(argv)
    assert "\n" not in str(info.value)


def test_the_endpoint_is_completed_from_a_base_url() -> None:
    assert endpoint("http://h:8000") == "http://h:8000/v1/audio/transcriptions"
    assert endpoint("http://h:8000/v1/") == "http://h:8000/v1/audio/transcriptions"
    assert endpoint("https://h/v1/audio/transcriptions") == "https://h/v1/audio/transcriptions"
