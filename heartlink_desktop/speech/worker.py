"""A recognition worker process: one engine, loaded once, one utterance at a time.

Decoding runs in processes, never on the host's event loop or its threads: PocketSphinx holds
the GIL while it decodes (two threads take twice as long as one, see docs/speech.md), and each
process gets one CTranslate2 thread so that N workers share N cores instead of fighting over
them. Messages are speech/messages.py's types. Audio stays in memory; nothing is logged.

- PocketSphinx decodes live, as the chunks come (`Begin`, `Chunk`, `Finish`), so at the end
  only the last fraction of a second is left; interim text about once a second of audio.
  `cmn` is the speaker's cepstral mean (13 numbers, a voice's average colour, not its audio):
  the host keeps one per participant, so a worker that decodes several people normalises each
  one's voice as it learned it.
- Whisper decodes a whole utterance (`Decode`): it pads every input to 30 s, so a decode costs
  about the same CPU whatever the length, and decoding while the person speaks would repeat it.
"""

from __future__ import annotations

import time
from typing import Any

from heartlink_desktop.speech import messages as m
from heartlink_desktop.speech.whisper import ModelError

SAMPLE_RATE = 16_000
PARTIAL_BYTES = SAMPLE_RATE * 2  # PocketSphinx: interim text after each second of audio


def make_decoder() -> Any:
    from pocketsphinx import Decoder

    # No second (flat-lexicon) pass: it runs over the whole utterance at its end, and is most of
    # the wait between the end of speech and its line (0.2 s of a 5 s utterance here, several
    # times that under load), for no better words on the sentences we measured.
    return Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", fwdflat=False)


def _live(inbox: Any) -> bool:
    """Keeping up with the speaker (a second or less waiting), not catching up on a backlog."""
    try:
        return int(inbox.qsize()) <= 5
    except NotImplementedError:  # macOS has no qsize
        return bool(inbox.empty())


class Sphinx:
    """PocketSphinx, fed live; owned by `run`."""

    name = "pocketsphinx"

    def __init__(self, index: int, outbox: Any) -> None:
        self.index, self.outbox = index, outbox
        self.decoder = make_decoder()
        self.default_cmn = self.decoder.get_cmn(False)
        self.current: m.UttId | None = None
        self.nbytes, self.cpu, self.said, self.next_partial = 0, 0.0, "", PARTIAL_BYTES

    def handle(self, msg: m.ToWorker, inbox: Any, cpu: float) -> None:
        d = self.decoder
        if isinstance(msg, m.Begin):
            if self.current is not None:
                d.end_utt()
            d.set_cmn(msg.cmn or self.default_cmn)
            d.start_utt()
            self.current, self.nbytes, self.cpu = msg.uid, 0, 0.0
            self.said, self.next_partial = "", PARTIAL_BYTES
        elif isinstance(msg, m.Chunk) and msg.uid == self.current:
            d.process_raw(msg.pcm, False, False)
            self.nbytes += len(msg.pcm)
            if self.nbytes >= self.next_partial and _live(inbox):
                self.next_partial = self.nbytes + PARTIAL_BYTES
                hyp = d.hyp()
                text = hyp.hypstr if hyp is not None else ""
                if text and text != self.said:
                    self.said = text
                    self.outbox.put(m.Partial(self.index, msg.uid, text))
        elif isinstance(msg, m.Finish) and msg.uid == self.current:
            d.end_utt()
            hyp = d.hyp()
            self.current = None
            text = hyp.hypstr if hyp is not None else ""
            seconds = self.nbytes / (2 * SAMPLE_RATE)
            used = self.cpu + time.process_time() - cpu
            self.outbox.put(m.Text(self.index, msg.uid, text, seconds, used, d.get_cmn(False)))
            return
        self.cpu += time.process_time() - cpu

    def abandon(self) -> None:
        self.current = None


class Whole:
    """Whisper, one whole utterance per `Decode`; owned by `run`."""

    name = "whisper"

    def __init__(self, index: int, outbox: Any) -> None:
        from heartlink_desktop.speech.whisper import Whisper

        self.index, self.outbox = index, outbox
        self.model = Whisper(threads=1)

    def handle(self, msg: m.ToWorker, inbox: Any, cpu: float) -> None:
        if not isinstance(msg, m.Decode):
            return
        heard = self.model.heard(msg.pcm)
        used = time.process_time() - cpu
        if msg.final:
            seconds = len(msg.pcm) / (2 * SAMPLE_RATE)
            self.outbox.put(m.Text(self.index, msg.uid, heard.text, seconds, used, dropped=heard.dropped))
        else:
            self.outbox.put(m.Partial(self.index, msg.uid, heard.text, used))

    def abandon(self) -> None:
        pass


def load(engine: str, index: int, outbox: Any) -> Sphinx | Whole:
    if engine == "whisper":
        return Whole(index, outbox)
    return Sphinx(index, outbox)


def run(index: int, engine: str, inbox: Any, outbox: Any) -> None:
    """The worker's main loop (the target of a spawned process)."""
    started = time.perf_counter()
    try:
        worker = load(engine, index, outbox)
    except Exception as exc:
        reason = (
            str(exc) if isinstance(exc, ModelError) else f"{engine} could not start ({type(exc).__name__})"
        )
        outbox.put(m.Failed(index, None, reason, loading=True))
        outbox.put(m.Gone(index))
        return
    outbox.put(m.Ready(index, worker.name, time.perf_counter() - started))
    while True:
        msg = inbox.get()
        if isinstance(msg, m.Stop):
            break
        cpu = time.process_time()
        try:
            worker.handle(msg, inbox, cpu)
        except Exception as exc:  # a bad block must not end the worker
            worker.abandon()
            uid = getattr(msg, "uid", None)
            outbox.put(m.Failed(index, uid, f"recognition failed ({type(exc).__name__})"))
    outbox.put(m.Gone(index))
