"""What the host and a recognition worker process say to each other, as named types.

They cross a process boundary (pickled through multiprocessing queues), so they are plain
frozen dataclasses of builtins and `UttId`. Audio rides in them, in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass

from heartlink_desktop.core.utterance import UttId

# -- to a worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Begin:
    """A live utterance starts (PocketSphinx): `cmn` is the speaker's voice colour, if known."""

    uid: UttId
    cmn: str | None = None


@dataclass(frozen=True)
class Chunk:
    """More audio of the live utterance."""

    uid: UttId
    pcm: bytes


@dataclass(frozen=True)
class Finish:
    """The live utterance ended: its text, please."""

    uid: UttId


@dataclass(frozen=True)
class Decode:
    """A whole utterance at once (Whisper); `final` False: the words so far, for the partner."""

    uid: UttId
    pcm: bytes
    final: bool = True


@dataclass(frozen=True)
class Stop:
    """The host is stopping: leave the loop."""


ToWorker = Begin | Chunk | Finish | Decode | Stop

# -- from a worker -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The worker's engine is loaded (`load_seconds` after its process started)."""

    worker: int
    engine: str
    load_seconds: float


@dataclass(frozen=True)
class Text:
    """An utterance's text ("" when nothing was heard); `cmn` from PocketSphinx."""

    worker: int
    uid: UttId
    text: str
    audio_seconds: float
    cpu_seconds: float
    cmn: str | None = None
    dropped: str = ""  # why Whisper gave no text: "no speech", "repetition"


@dataclass(frozen=True)
class Partial:
    """The words of an utterance still being spoken."""

    worker: int
    uid: UttId
    text: str
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class Failed:
    """Something went wrong. `loading`: the engine itself cannot run here (uid is None)."""

    worker: int
    uid: UttId | None
    reason: str
    loading: bool = False


@dataclass(frozen=True)
class Gone:
    """The worker left its loop (stopped, or could not start)."""

    worker: int


FromWorker = Ready | Text | Partial | Failed | Gone
