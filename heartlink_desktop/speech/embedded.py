"""The embedded engine: which utterance goes to which worker process, what comes back, and the
fall back from Whisper to PocketSphinx when Whisper cannot run here."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.speech import messages as m
from heartlink_desktop.speech.pool import Pool

log = logging.getLogger(__name__)

INTERIM_SECONDS = 2.0  # Whisper: the words so far, re-decoded after each 2 s more of audio...
INTERIM_BYTES = int(INTERIM_SECONDS * ut.BYTES_PER_SECOND)  # ...and only by an idle worker
OVER_AFTER = 1.0  # Whisper: an ended utterance waiting this long for a worker is "behind"
MAX_BEHIND_SECONDS = 30.0  # audio a stream may have waiting for a worker; older is dropped


@dataclass(eq=False)
class Utt:
    """One utterance on the host: its audio until a worker has it (all of it, for Whisper)."""

    uid: ut.UttId
    chunks: list[bytes] = field(default_factory=list)
    nbytes: int = 0
    ended: bool = False
    ended_at: float = 0.0
    worker: int | None = None  # PocketSphinx: the worker decoding it live
    discard: bool = False
    peeked: int = 0  # Whisper: bytes of audio its last interim decode had

    @property
    def sid(self) -> str:
        return self.uid.stream


@dataclass(frozen=True)
class Job:
    utt: Utt
    final: bool


class Sink(Protocol):
    """What the embedded engine tells its owner (speech/service.py's `Speech`)."""

    def heard(self, utt: Utt, text: str, stat: dict[str, float]) -> None: ...

    def interim(self, utt: Utt, text: str) -> None: ...

    def changed(self) -> None: ...


class Embedded:
    """The worker processes' engine, owned and called by `Speech`: `begin`, `audio`, `end`,
    `discard` per utterance, `tick` on the service's timer. `kind` is the engine in use:
    "whisper", or "pocketsphinx" (chosen, or after Whisper could not load: `note` says why).

    PocketSphinx decodes live: a worker is bound to an utterance from its first chunk. Whisper
    decodes whole utterances: the audio waits here until the end, then goes to the first free
    worker; an idle worker meanwhile re-decodes a growing utterance for the partner's interim
    line."""

    def __init__(self, kind: str, workers: int, sink: Sink, now: Callable[[], float], note: str = "") -> None:
        self.kind = kind
        self.workers = max(1, workers)
        self.sink = sink
        self.now = now
        self.note = note
        self.over_after = OVER_AFTER  # seconds an ended utterance may wait before it is "behind"
        self.pool: Pool | None = None
        self.utts: dict[ut.UttId, Utt] = {}
        self.waiting: deque[Utt] = deque()
        self.busy: dict[int, Job] = {}
        self.cmn: dict[str, str] = {}  # PocketSphinx: each speaker's voice colour
        self.loaded: set[int] = set()  # workers of this pool that ever said ready
        self._stopping: set[asyncio.Task[None]] = set()

    @property
    def live(self) -> bool:
        return self.kind == "pocketsphinx"

    # -- utterances -----------------------------------------------------------------------
    def begin(self, utt: Utt) -> None:
        self.utts[utt.uid] = utt
        if self.live:
            self._assign(utt)
        else:
            self._started()

    def audio(self, utt: Utt, pcm: bytes) -> None:
        utt.nbytes += len(pcm)
        if utt.worker is not None:
            self._pool().send(utt.worker, m.Chunk(utt.uid, pcm))
            return
        utt.chunks.append(pcm)
        if utt in self.waiting:
            self._bound(utt.sid)

    def end(self, utt: Utt) -> None:
        utt.ended, utt.ended_at = True, self.now()
        if utt.worker is not None:
            self._pool().send(utt.worker, m.Finish(utt.uid))
        elif not self.live:
            self.waiting.append(utt)
            self._bound(utt.sid)
            self._next()

    def take(self, utt: Utt) -> None:
        """An utterance another engine could not recognise: its audio, whole, from here."""
        self.utts[utt.uid] = utt
        if self.live:
            self._assign(utt)
        else:
            self._started()
            self.waiting.append(utt)
            self._next()

    def discard(self, utt: Utt) -> None:
        utt.discard = True
        utt.chunks = []
        if utt in self.waiting:
            self.waiting.remove(utt)
        if utt.worker is not None and not utt.ended:
            utt.ended = True
            self._pool().send(utt.worker, m.Finish(utt.uid))  # frees the worker; the text is ignored
        if not any(job.utt is utt for job in self.busy.values()):
            self.utts.pop(utt.uid, None)

    def forget(self, sid: str) -> None:
        self.cmn.pop(sid, None)
        for utt in list(self.utts.values()):
            if utt.sid == sid:
                self.discard(utt)

    def _bound(self, sid: str) -> None:
        """A stream's waiting audio is bounded: its oldest waiting utterances go first."""
        mine = [u for u in self.waiting if u.sid == sid]
        while mine and ut.seconds(sum(u.nbytes for u in mine)) > MAX_BEHIND_SECONDS:
            self.discard(mine.pop(0))

    # -- workers --------------------------------------------------------------------------
    def _pool(self) -> Pool:
        if self.pool is None:
            self.pool = Pool(self.workers, self.kind, self._on_worker)
            self.loaded = set()
            self.pool.start()
        return self.pool

    def _started(self) -> None:
        self._pool()  # Whisper: load the model while the first utterance is being spoken

    def _free(self) -> list[int]:
        pool = self.pool
        return [] if pool is None else [i for i in sorted(pool.ready) if i not in self.busy]

    def _assign(self, utt: Utt) -> None:
        """PocketSphinx: bind the utterance to a free worker and send what it has so far."""
        pool = self._pool()
        free = self._free()
        if not free:
            if utt not in self.waiting:
                self.waiting.append(utt)
            self.sink.changed()
            return
        index = free[0]
        self.busy[index] = Job(utt, True)
        utt.worker = index
        pool.send(index, m.Begin(utt.uid, self.cmn.get(utt.sid)))
        chunks, utt.chunks = utt.chunks, []
        for pcm in chunks:
            pool.send(index, m.Chunk(utt.uid, pcm))
        if utt.ended:
            pool.send(index, m.Finish(utt.uid))

    def _next(self) -> None:
        if self.live:
            while self.waiting and self._free():
                self._assign(self.waiting.popleft())
        else:
            free = self._free()
            while self.waiting and free:
                utt = self.waiting.popleft()
                self._send(free.pop(0), utt, True)
            if free:
                self._interims(free)
        self.sink.changed()

    def _send(self, index: int, utt: Utt, final: bool) -> None:
        assert self.pool is not None
        self.busy[index] = Job(utt, final)
        if final:
            utt.chunks = [b"".join(utt.chunks)]  # kept until its text comes, to retry elsewhere
        else:
            utt.peeked = utt.nbytes
        self.pool.send(index, m.Decode(utt.uid, b"".join(utt.chunks), final))

    def _interims(self, free: list[int]) -> None:
        """Whisper: idle workers re-decode the utterances being spoken, the longest unheard first,
        always leaving one worker free for the next utterance to end.

        An interim decode costs as much as a final one (on a loaded machine it doubled the
        workers' CPU per stream and the final lines' delay in benchmarks/speech.py): a final
        line never waits for more than the one decode under way on its worker."""
        spare = free[: len(free) - 1]
        if not spare:
            return
        peeking = {job.utt for job in self.busy.values()}
        due = [
            u
            for u in self.utts.values()
            if not u.ended and not u.discard and u not in peeking and u.nbytes - u.peeked >= INTERIM_BYTES
        ]
        due.sort(key=lambda u: u.peeked - u.nbytes)
        for index, utt in zip(spare, due, strict=False):
            self._send(index, utt, False)

    def _on_worker(self, msg: m.FromWorker) -> None:
        if isinstance(msg, m.Ready):
            self.loaded.add(msg.worker)
        elif isinstance(msg, m.Text):
            job = self.busy.pop(msg.worker, None)
            self.utts.pop(msg.uid, None)
            if isinstance(msg.cmn, str):
                self.cmn[msg.uid.stream] = msg.cmn
            if job is not None and job.utt.uid == msg.uid and not job.utt.discard:
                job.utt.chunks = []
                self.sink.heard(job.utt, msg.text, {"audio": msg.audio_seconds, "cpu": msg.cpu_seconds})
        elif isinstance(msg, m.Partial):
            job = self.busy.get(msg.worker)
            if not self.live:
                self.busy.pop(msg.worker, None)
            if job is not None and job.utt.uid == msg.uid:
                if job.utt.discard:
                    self.utts.pop(msg.uid, None)  # dropped while its interim decode ran
                elif not job.utt.ended:
                    self.sink.interim(job.utt, msg.text)
            if self.live:
                return
        elif isinstance(msg, m.Failed):
            if msg.loading and not self.live:
                self.fall_back(msg.reason)
                return
            self._lost(msg.worker, retry=False)
            self.note = msg.reason
            log.warning("speech worker %d: %s", msg.worker, msg.reason)
        elif isinstance(msg, m.Gone):
            if not self.live and not self.loaded and self.pool is not None and not self.pool.alive:
                # every worker died before its model loaded, without a word: a crash in the runtime
                self.fall_back("its runtime stopped while loading (this processor may lack what it needs)")
                return
            self._lost(msg.worker, retry=True)
        self._next()

    def _lost(self, index: int, retry: bool) -> None:
        job = self.busy.pop(index, None)
        if job is None:
            return
        utt = job.utt
        if retry and job.final and not self.live and not utt.discard:
            self.waiting.appendleft(utt)  # Whisper: the audio is still here: another worker
        elif job.final:
            self.utts.pop(utt.uid, None)

    def fall_back(self, reason: str) -> None:
        """Whisper cannot run here: PocketSphinx takes over, with every utterance not yet heard."""
        log.warning("Whisper cannot run (%s): PocketSphinx transcribes instead", reason)
        self.note = f"Whisper cannot run: {reason}. PocketSphinx transcribes instead, with more words wrong."
        self._retire()
        self.kind = "pocketsphinx"
        pending = [u for u in self.utts.values() if not u.discard]
        self.utts, self.waiting, self.busy = {}, deque(), {}
        for utt in pending:
            utt.worker, utt.peeked = None, 0
            self.take(utt)
        self.sink.changed()

    def _retire(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.on_message = None  # what its workers still say is not news any more
            task = asyncio.ensure_future(pool.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    # -- the service's timer and status ---------------------------------------------------
    def tick(self) -> None:
        if self.pool is not None:
            self.pool.check()  # a worker that died without a word
        if not self.live:
            free = self._free()
            if free and not self.waiting:
                self._interims(free)

    def over(self) -> set[str]:
        """Speakers whose words wait for a worker longer than real time allows."""
        pool = self.pool
        if pool is None or not pool.ready:
            return set()
        if self.live:
            full = len(pool.ready) == len(pool.alive)
            return {u.sid for u in self.waiting} if full else set()
        now = self.now()
        return {u.sid for u in self.waiting if now - u.ended_at > self.over_after}

    def behind(self) -> float:
        """The oldest utterance waiting for its text, in seconds."""
        now = self.now()
        behind = 0.0
        for utt in self.utts.values():
            if utt.discard:
                continue
            if utt.ended:
                behind = max(behind, now - utt.ended_at)
            elif self.live and utt.worker is None and utt in self.waiting:
                behind = max(behind, ut.seconds(utt.nbytes))
        return behind

    def ready(self) -> int:
        return len(self.pool.ready) if self.pool is not None else 0

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.stop()
            self.pool = None
        for task in list(self._stopping):
            await task
        self.utts.clear()
        self.waiting.clear()
        self.busy.clear()
