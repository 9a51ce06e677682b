"""A recognition worker process: one PocketSphinx decoder, one utterance at a time, fed live.

PocketSphinx holds the GIL while it decodes (two threads decoding take twice as long as one,
see docs/speech.md), so decoding runs in processes, never on the host's event loop or its
threads. Messages in: ("start", uid, cmn), ("audio", uid, pcm), ("end", uid), ("stop",). Out:
("ready", worker, load_seconds, None), ("text", worker, uid, text, audio_seconds, cpu_seconds,
cmn), ("partial", worker, uid, text) about once a second of audio while it is live,
("failed", worker, uid, reason), ("gone", worker). Audio stays in memory; nothing is
logged. `cmn` is the speaker's cepstral mean (13 numbers, a voice's average colour, not its
audio): the host keeps one per participant, so a worker that decodes several people normalises
each one's voice as it learned it, instead of the last speaker's.
"""

from __future__ import annotations

import time
from typing import Any

SAMPLE_RATE = 16_000
PARTIAL_BYTES = SAMPLE_RATE * 2  # interim text after each second of audio


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


def run(index: int, inbox: Any, outbox: Any) -> None:
    """The worker's main loop (the target of a spawned process)."""
    started = time.perf_counter()
    try:
        decoder = make_decoder()
    except Exception as exc:
        outbox.put(("failed", index, None, f"the speech engine could not start ({type(exc).__name__})"))
        outbox.put(("gone", index))
        return
    default_cmn = decoder.get_cmn(False)
    outbox.put(("ready", index, time.perf_counter() - started, None))
    current: str | None = None
    nbytes = 0
    cpu = 0.0
    said = ""  # the last interim text sent
    next_partial = PARTIAL_BYTES
    while True:
        msg = inbox.get()
        kind = msg[0]
        if kind == "stop":
            break
        uid = msg[1]
        t0 = time.process_time()
        try:
            if kind == "start":
                if current is not None:
                    decoder.end_utt()
                decoder.set_cmn(msg[2] or default_cmn)
                decoder.start_utt()
                current, nbytes, cpu = uid, 0, 0.0
                said, next_partial = "", PARTIAL_BYTES
            elif kind == "audio" and uid == current:
                decoder.process_raw(msg[2], False, False)
                nbytes += len(msg[2])
                if nbytes >= next_partial and _live(inbox):
                    next_partial = nbytes + PARTIAL_BYTES
                    hyp = decoder.hyp()
                    text = hyp.hypstr if hyp is not None else ""
                    if text and text != said:
                        said = text
                        outbox.put(("partial", index, uid, text))
            elif kind == "end" and uid == current:
                decoder.end_utt()
                hyp = decoder.hyp()
                current = None
                cpu += time.process_time() - t0
                text = hyp.hypstr if hyp is not None else ""
                cmn = decoder.get_cmn(False)
                outbox.put(("text", index, uid, text, nbytes / (2 * SAMPLE_RATE), cpu, cmn))
                continue
        except Exception as exc:  # a bad block must not end the worker
            current = None
            outbox.put(("failed", index, uid, f"recognition failed ({type(exc).__name__})"))
            continue
        cpu += time.process_time() - t0
    outbox.put(("gone", index))
