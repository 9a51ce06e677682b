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


# -- real human recordings, installed by scripts/test from Debian (TEST_DEBS) -------------------
# Asterisk's prompts: one speaker (Allison Smith), 8 kHz telephone recordings, their words in
# core-sounds-en.txt; ALSA's channel names: another speaker, 48 kHz, and a recording of noise.
ASTERISK = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_TEXT = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
ALSA = Path("/usr/share/sounds/alsa")
ALSA_TEXT = {
    name: name.replace("_", " ") for name in ("Front_Center", "Front_Left", "Rear_Right", "Side_Left")
}
NOISE = ALSA / "Noise.wav"


def _need(path: Path, package: str) -> Path:
    if not path.exists():
        raise RuntimeError(
            f"{path} is missing: scripts/test installs {package} (TEST_DEBS in scripts/_env.sh)"
        )
    return path


@functools.cache
def asterisk_texts() -> dict[str, str]:
    """Each prompt's words, from core-sounds-en.txt ("name: words"); bracketed ones are tones."""
    import gzip
    import re

    texts = {}
    raw = gzip.decompress(_need(ASTERISK_TEXT, "asterisk-core-sounds-en").read_bytes()).decode(
        "utf-8", "replace"
    )
    for line in raw.splitlines():
        name, sep, text = line.partition(":")
        text = re.sub(r"\([^)]*\)", "", text).strip()  # "(simple tone sound plays)": not words
        if sep and not line.startswith(";") and "[" not in text and text:
            texts[name.strip()] = text
    return texts


@functools.cache
def decode_file(path: Path, rate: int = 16_000) -> bytes:
    """A recording as mono s16le PCM at `rate`, through sox."""
    tools()
    return subprocess.run(
        ["sox", str(path), "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", "-"],
        check=True,
        capture_output=True,
    ).stdout


def prompt(name: str, pad: float = 0.3) -> tuple[bytes, str]:
    """An Asterisk prompt as 16 kHz PCM with `pad` seconds of silence each side, and its words."""
    path = _need(ASTERISK / f"{name}.wav", "asterisk-core-sounds-en-wav")
    silence = bytes(int(pad * 16_000) * 2)
    return silence + decode_file(path) + silence, asterisk_texts()[name]


def prompts(every: int = 4, longest: float = 15.0) -> list[str]:
    """A fixed sample of the prompts of six words or more: every `every`-th, by name."""
    names = sorted(
        n for n, t in asterisk_texts().items() if len(t.split()) >= 6 and (ASTERISK / f"{n}.wav").exists()
    )
    return [n for n in names[::every] if len(decode_file(ASTERISK / f"{n}.wav")) / 32_000 <= longest]


def recording_wav(
    names: list[str], path: Path, gap: float = 2.5, lead: float = 1.0, tail: float = 3.0
) -> Path:
    """Prompts one after another with `gap` s of silence between, as a 48 kHz mono WAV (Chromium's mic)."""
    tools()
    files = [str(_need(ASTERISK / f"{n}.wav", "asterisk-core-sounds-en-wav")) for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, src in enumerate(files):
            out = Path(tmp) / f"{i}.wav"
            before, after = (lead if i == 0 else 0), (tail if i == len(files) - 1 else gap)
            subprocess.run(
                ["sox", src, "-r", "48000", "-c", "1", "-b", "16", str(out), "pad", str(before), str(after)],
                check=True,
            )
            parts.append(str(out))
        subprocess.run(["sox", *parts, str(path)], check=True)
    return path


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _number(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    return [_ONES[int(d)] for d in str(n)]


def normal_words(text: str) -> list[str]:
    """Words as compared for the error rate: lower case, no punctuation, numbers spelt out."""
    import re

    out: list[str] = []
    text = text.lower().replace("-", " ").replace("*", " star ").replace("#", " pound ")
    for tok in re.findall(r"[a-z0-9']+", text):
        tok = tok.strip("'")
        if tok.isdigit():
            out += _number(int(tok))
        elif tok:
            out.append(tok)
    return out


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """Word edits (substitutions, deletions, insertions) and the reference's word count."""
    ref, hyp = normal_words(reference), normal_words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            cur = min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
            prev, row[j] = row[j], cur
    return row[len(hyp)], len(ref)


def wer(reference: str, hypothesis: str) -> float:
    edits, n = errors(reference, hypothesis)
    return edits / max(1, n)
