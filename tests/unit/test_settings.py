"""Settings: defaults, the command line, saved values, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from heartlink_desktop.settings import Settings, SettingsError, parse_args


def test_defaults_are_the_mvp() -> None:
    s = parse_args([])
    assert (s.port, s.max_pairs, s.spiciness, s.host) == (8765, 1, 2, "0.0.0.0")
    assert not s.queue_enabled and not s.headless


def test_command_line_beats_saved_values() -> None:
    s = parse_args(["--headless", "--port", "9000", "--data-dir", "/tmp/x"], {"port": 7000, "max_pairs": 3})
    assert s.port == 9000 and s.max_pairs == 3 and s.headless and s.data_dir == Path("/tmp/x")
    assert s.queue_enabled  # on by default when more than one pair
    assert not parse_args(["--max-pairs", "3", "--no-queue"]).queue_enabled


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--port", "70000"], "port"),
        (["--port", "abc"], "invalid int"),
        (["--max-pairs", "0"], "max pairs"),
        (["--max-pairs", "501"], "between 1 and 500"),
        (["--spiciness", "5"], "spiciness"),
        (["--silence-seconds", "0"], "silence seconds"),
        (["--host", "example.com"], "IP address"),
        (["--llm-url", "ftp://x"], "http"),
        (["--nope"], "unrecognized"),
    ],
)
def test_bad_options_are_one_clear_error(argv: list[str], words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        parse_args(argv)


def test_up_to_500_pairs_at_once() -> None:
    assert parse_args(["--max-pairs", "500"]).max_pairs == 500


def test_saved_garbage_falls_back_to_defaults() -> None:
    assert parse_args([], {"port": "not a number", "max_pairs": 99}).port == 8765
    assert parse_args(["--port", "9001"], {"spiciness": 9}).port == 9001
    with pytest.raises(SettingsError):
        parse_args(["--port", "-1"], {"spiciness": 9})
    assert Settings().persisted() == {
        "port": 8765,
        "max_pairs": 1,
        "spiciness": 2,
        "address": None,
        "stt": "whisper",
        "meet_mode": "preferences",
    }
