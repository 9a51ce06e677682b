"""Speech audio from a page: the chunk checks, the pace limit and the utterance cutter (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heartlink_desktop.core.errors import CoreError

SAMPLE_RATE = 16_000  # Hz, mono, signed 16-bit little-endian
BYTES_PER_SECOND = SAMPLE_RATE * 2
MAX_CHUNK_BYTES = 16 * 1024  # about 0.5 s; the page sends 100-250 ms
MAX_SPEED = 2.0  # audio may arrive at most this many times faster than real time...
BURST_SECONDS = 2.0  # ...beyond a burst of this much (the pre-roll, a network hiccup)
GAP_SECONDS = 1.5  # no audio for this long ends an utterance the page did not end
MAX_UTTERANCE_SECONDS = 20.0  # a longer one is cut here and goes on as the next
MIN_UTTERANCE_SECONDS = 0.3  # shorter ones (a click, a cough) are dropped


def seconds(nbytes: int) -> float:
    return nbytes / BYTES_PER_SECOND


def check_chunk(payload: Any) -> bytes:
    """The PCM of one `audio` event, or CoreError with the code the page gets."""
    if isinstance(payload, (bytearray, memoryview)):
        payload = bytes(payload)
    if not isinstance(payload, bytes):
        raise CoreError("invalid_payload", "'audio' needs binary 16 kHz mono 16-bit PCM.")
    if len(payload) > MAX_CHUNK_BYTES:
        raise CoreError(
            "payload_too_large",
            f"An audio chunk can hold at most {MAX_CHUNK_BYTES // 1024} KiB (about half a second).",
        )
    if not payload or len(payload) % 2:
        raise CoreError("invalid_payload", "An audio chunk must hold whole 16-bit samples.")
    return payload


class Pace:
    """A token bucket in bytes: audio refilled at MAX_SPEED times real time, up to a burst."""

    def __init__(self, now: float, speed: float = MAX_SPEED, burst: float = BURST_SECONDS) -> None:
        self.rate = speed * BYTES_PER_SECOND
        self.cap = burst * BYTES_PER_SECOND
        self.credit = self.cap
        self.at = now

    def allow(self, nbytes: int, now: float) -> bool:
        self.credit = min(self.cap, self.credit + max(0.0, now - self.at) * self.rate)
        self.at = now
        if nbytes > self.credit:
            return False
        self.credit -= nbytes
        return True


@dataclass(frozen=True)
class UttId:
    """One utterance: whose stream (the speaker's socket id) and its number in that stream."""

    stream: str
    number: int

    def __str__(self) -> str:
        return f"{self.stream}:{self.number}"


# What the cutter decides; the service carries it out.
@dataclass(frozen=True)
class Start:
    uid: UttId


@dataclass(frozen=True)
class Audio:
    uid: UttId
    pcm: bytes


@dataclass(frozen=True)
class End:
    uid: UttId
    seconds: float  # audio in the utterance
    why: str  # "mark" (the page ended it), "gap", "length", "close"


@dataclass(frozen=True)
class Drop:
    uid: UttId  # too short to be speech: forget it


Action = Start | Audio | End | Drop


@dataclass
class Cutter:
    """One participant's stream cut into utterances. `now` is a monotonic time in seconds."""

    stream: str
    now: float
    gap: float = GAP_SECONDS
    max_seconds: float = MAX_UTTERANCE_SECONDS
    min_seconds: float = MIN_UTTERANCE_SECONDS
    pace: Pace = field(init=False)
    uid: UttId | None = field(default=None, init=False)
    nbytes: int = field(default=0, init=False)
    last: float = field(default=0.0, init=False)
    count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.pace = Pace(self.now)

    @property
    def open(self) -> bool:
        return self.uid is not None

    def feed(self, pcm: bytes, now: float) -> list[Action]:
        """A checked chunk. CoreError('audio_too_fast') when it comes faster than allowed."""
        if not self.pace.allow(len(pcm), now):
            raise CoreError(
                "audio_too_fast",
                f"Audio is arriving faster than {MAX_SPEED:g} times real time; that chunk was dropped.",
            )
        out: list[Action] = []
        if self.uid is not None and seconds(self.nbytes + len(pcm)) > self.max_seconds:
            out += self._close(now, "length")
        if self.uid is None:
            self.count += 1
            self.uid = UttId(self.stream, self.count)
            self.nbytes = 0
            out.append(Start(self.uid))
        self.nbytes += len(pcm)
        self.last = now
        out.append(Audio(self.uid, pcm))
        return out

    def end(self, now: float, why: str = "mark") -> list[Action]:
        """The page's end-of-utterance mark (or the stream closing): nothing when none is open."""
        return self._close(now, why) if self.uid is not None else []

    def deadline(self) -> float | None:
        """When an open utterance ends by itself if no more audio comes."""
        return self.last + self.gap if self.uid is not None else None

    def due(self, now: float) -> list[Action]:
        deadline = self.deadline()
        return self._close(now, "gap") if deadline is not None and now >= deadline else []

    def _close(self, now: float, why: str) -> list[Action]:
        uid, length = self.uid, seconds(self.nbytes)
        assert uid is not None
        self.uid, self.nbytes = None, 0
        if length < self.min_seconds:
            return [Drop(uid)]
        return [End(uid, length, why)]
