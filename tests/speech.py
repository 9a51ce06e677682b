"""Test speech: known sentences spoken by espeak-ng, as 16 kHz PCM or a 48 kHz WAV (sox)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

# Sentences PocketSphinx 5 gets mostly right from espeak-ng's en-us voice at 150 words a
# minute, decoded live (chunk by chunk) in a fresh decoder and after other sentences (checked
# by hand), with the content words a test looks for: at least two of them came back each
# time. Recognition is only about half right on synthetic speech in general; "history" is
# right only once the decoder has heard the voice.
SENTENCES = {
    "history": ("I like to read books about history", {"like", "read", "books", "history"}),
    "sisters": ("do you have any brothers or sisters", {"have", "brothers", "sisters"}),
    "beach": ("we went to the beach last summer", {"went", "beach", "summer"}),
    "weekend": ("what do you like to do on the weekend", {"like", "weekend"}),
}


def tools() -> None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: scripts/test installs it (TEST_DEBS in scripts/_env.sh)")


@functools.cache
def pcm(key: str, pad: float = 0.3) -> bytes:
    """The sentence as 16 kHz mono s16le PCM, with `pad` seconds of silence each side."""
    tools()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SENTENCES[key][0]], check=True
        )
        out = subprocess.run(
            [
                "sox",
                str(raw),
                "-r",
                "16000",
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed",
                "-t",
                "raw",
                "-",
                "pad",
                str(pad),
                str(pad),
            ],
            check=True,
            capture_output=True,
        ).stdout
    return out


def wav(keys: list[str], path: Path, gap: float = 2.5, lead: float = 1.0, tail: float = 3.0) -> Path:
    """The sentences one after another with `gap` seconds of silence between, as a 48 kHz mono WAV."""
    tools()
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, key in enumerate(keys):
            raw = Path(tmp) / f"{i}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SENTENCES[key][0]], check=True
            )
            padded = Path(tmp) / f"{i}p.wav"
            before = lead if i == 0 else 0
            after = tail if i == len(keys) - 1 else gap
            subprocess.run(
                [
                    "sox",
                    str(raw),
                    "-r",
                    "48000",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    str(padded),
                    "pad",
                    str(before),
                    str(after),
                ],
                check=True,
            )
            parts.append(str(padded))
        subprocess.run(["sox", *parts, str(path)], check=True)
    return path


def words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


def heard(text: str, key: str) -> set[str]:
    """The sentence's content words found in `text` (a plural or -ing form counts)."""
    said = words(text)
    return {w for w in SENTENCES[key][1] if any(s.startswith(w) for s in said)}


def chunks(data: bytes, size: int = 6400) -> list[bytes]:
    """200 ms chunks, as the page sends."""
    return [data[i : i + size] for i in range(0, len(data), size)]
