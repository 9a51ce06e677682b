"""Which utterance goes to which worker (speech/embedded.py), with the worker processes stood in
for by a recorder of what they are sent: Whisper's final decodes first, interim decodes only on
a spare worker, a lost worker's utterance decoded elsewhere."""

from __future__ import annotations

from typing import Any

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.speech import messages as m
from heartlink_desktop.speech.embedded import Embedded, Utt

SECOND = b"\0\1" * 16_000


class Workers:
    """Stands in for speech/pool.py's Pool: ready workers, and what each was sent."""

    def __init__(self, ready: int) -> None:
        self.ready = set(range(ready))
        self.alive = set(range(ready))
        self.sent: list[tuple[int, m.ToWorker]] = []
        self.on_message: Any = None

    def send(self, index: int, msg: m.ToWorker) -> None:
        self.sent.append((index, msg))

    def check(self) -> None:
        pass

    def decodes(self) -> list[tuple[int, str, bool]]:
        return [(i, str(msg.uid), msg.final) for i, msg in self.sent if isinstance(msg, m.Decode)]


class Sink:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.interims: list[str] = []

    def heard(self, utt: Utt, text: str, stat: dict[str, float]) -> None:
        self.lines.append(text)

    def interim(self, utt: Utt, text: str) -> None:
        self.interims.append(text)

    def changed(self) -> None:
        pass


def whisper(ready: int) -> tuple[Embedded, Workers, Sink]:
    sink = Sink()
    emb = Embedded("whisper", 2, sink, lambda: 0.0)
    workers = Workers(ready)
    emb.pool = workers  # type: ignore[assignment]
    return emb, workers, sink


def speak(emb: Embedded, stream: str, seconds: int) -> Utt:
    utt = Utt(ut.UttId(stream, 1))
    emb.begin(utt)
    for _ in range(seconds):
        emb.audio(utt, SECOND)
    return utt


def test_an_interim_decode_takes_a_spare_worker_and_the_final_one_the_other() -> None:
    emb, workers, sink = whisper(ready=2)
    utt = speak(emb, "alice", 3)
    emb.tick()
    assert workers.decodes() == [(0, "alice:1", False)]  # worker 1 stays free
    emb.end(utt)
    assert workers.decodes()[-1] == (1, "alice:1", True)
    emb._on_worker(m.Partial(0, utt.uid, "so far"))
    assert sink.interims == []  # it ended meanwhile: its line is coming
    emb._on_worker(m.Text(1, utt.uid, "the whole line", 3.0, 0.6))
    assert sink.lines == ["the whole line"] and not emb.utts and not emb.busy


def test_with_one_worker_free_there_is_no_interim_decode() -> None:
    emb, workers, _ = whisper(ready=1)
    speak(emb, "alice", 5)
    emb.tick()
    assert workers.decodes() == []


def test_a_second_voice_ending_gets_the_free_worker_before_any_interim() -> None:
    emb, workers, _ = whisper(ready=2)
    alice, bob = speak(emb, "alice", 3), speak(emb, "bob", 3)
    emb.tick()
    assert len(workers.decodes()) == 1  # one interim, one worker left free
    emb.end(bob)
    assert workers.decodes()[-1] == (1, "bob:1", True)
    emb.tick()  # no worker free: nothing more
    assert len(workers.decodes()) == 2
    assert alice in emb.utts.values()


def test_a_worker_lost_while_decoding_leaves_the_utterance_to_another() -> None:
    emb, workers, _ = whisper(ready=2)
    utt = speak(emb, "alice", 2)
    emb.end(utt)
    first = workers.decodes()[-1]
    assert first[2] is True
    workers.ready.discard(first[0])
    workers.alive.discard(first[0])
    emb._on_worker(m.Gone(first[0]))
    again = workers.decodes()[-1]
    assert again[1:] == ("alice:1", True) and again[0] != first[0]
    sent = [msg for _, msg in workers.sent if isinstance(msg, m.Decode)]
    assert sent[-1].pcm == SECOND * 2  # all of its audio, again
