"""Turning utterances into text and lines: the embedded engine's worker processes (which
utterance goes to which worker, what comes back), the remote engine with its fallback, and
the line each gives. A part of `Speech` (a mixin; speech/service.py has the streams, the
audio in, and what the page and the window are told)."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.transcript import LINE_MAX
from heartlink_desktop.speech.pool import Pool
from heartlink_desktop.speech.remote import RemoteEngine, RemoteError

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 120.0  # after a remote failure, the embedded engine works this long


@dataclass
class Utt:
    uid: str
    sid: str
    chunks: list[bytes] = field(default_factory=list)  # not yet given to a worker
    nbytes: int = 0
    ended: bool = False
    ended_at: float = 0.0
    worker: int | None = None
    discard: bool = False


@dataclass
class Stream:
    sid: str
    cutter: ut.Cutter
    last_audio: float = 0.0
    over: bool = False
    cmn: str | None = None  # the voice's cepstral mean, from the worker that last decoded it
    errors: dict[str, float] = field(default_factory=dict)


class Engines:
    if TYPE_CHECKING:  # what Speech provides
        host: Any
        engine: str
        workers: int
        remote: RemoteEngine | None
        pool: Pool | None
        streams: dict[str, Stream]
        utts: dict[str, Utt]
        waiting: deque[Utt]
        busy: dict[int, Utt]
        fallback_until: float
        note: str
        stats: deque[dict[str, float]]

        def now(self) -> float: ...
        def _tell(self, sid: str, stream: Stream | None = None) -> None: ...
        def _announce(self, force: bool = False) -> None: ...
        def _spawn(self, coro: Any) -> None: ...

    # -- the embedded engine --------------------------------------------------------------
    def _pool(self) -> Pool:
        if self.pool is None:
            self.pool = Pool(self.workers, self._on_worker)
            self.pool.start()
        return self.pool

    def _assign(self, utt: Utt) -> None:
        pool = self._pool()
        free = [i for i in sorted(pool.ready) if i not in self.busy]
        if not free:
            if utt not in self.waiting:
                self.waiting.append(utt)
            self._mark_over()
            return
        index = free[0]
        self.busy[index] = utt
        utt.worker = index
        stream = self.streams.get(utt.sid)
        pool.send(index, "start", utt.uid, stream.cmn if stream is not None else None)
        chunks, utt.chunks = utt.chunks, []
        for pcm in chunks:
            pool.send(index, "audio", utt.uid, pcm)
        if utt.ended:
            pool.send(index, "end", utt.uid)

    def _next(self) -> None:
        while self.waiting and self.pool is not None and any(i not in self.busy for i in self.pool.ready):
            self._assign(self.waiting.popleft())
        self._mark_over()

    def _mark_over(self) -> None:
        """Streams whose audio waits for a worker (once every worker is up) are told so."""
        full = self.pool is not None and len(self.pool.ready) == len(self.pool.alive) > 0
        waiting = {u.sid for u in self.waiting}
        for stream in self.streams.values():
            over = full and stream.sid in waiting
            if over != stream.over:
                stream.over = over
                self._tell(stream.sid, stream)

    def _on_worker(self, msg: tuple[Any, ...]) -> None:
        kind, index = msg[0], msg[1]
        if kind == "text":
            _, _, uid, text, audio_s, cpu_s, cmn = msg
            utt = self.busy.pop(index, None)
            self.utts.pop(uid, None)
            stream = self.streams.get(utt.sid) if utt is not None else None
            if stream is not None and isinstance(cmn, str):
                stream.cmn = cmn
            if utt is not None and utt.uid == uid and not utt.discard:
                self._line(utt, text, {"audio": audio_s, "cpu": cpu_s})
        elif kind == "partial":
            utt = self.busy.get(index)
            if utt is not None and utt.uid == msg[2] and not utt.discard:
                self._interim(utt.sid, str(msg[3]))
            return
        elif kind in ("failed", "gone"):
            utt = self.busy.pop(index, None)
            if utt is not None:
                self.utts.pop(utt.uid, None)
            if kind == "failed":
                self.note = str(msg[3])
                log.warning("speech worker %d: %s", index, msg[3])
        self._next()
        self._announce()

    def _interim(self, sid: str, text: str) -> None:
        """What is being said, before its line: for the partner's page only (never stored)."""
        found = self.host.rooms.locate(sid)
        if found is None:
            return
        session, role = found
        body = {"session_id": session.session_id, "speaker": role, "text": " ".join(text.split())[:300]}
        self.host.relay.send("transcript_interim", body, to=session.session_id, skip_sid=sid)

    def _line(self, utt: Utt, text: str, stat: dict[str, float]) -> None:
        text = " ".join(str(text).split())
        delay = self.now() - utt.ended_at if utt.ended else 0.0
        self.stats.append({**stat, "delay": delay})
        if not text:
            return
        try:
            self.host.rooms.talk.add_line(utt.sid, text[:LINE_MAX], self.host.now())
        except CoreError:
            pass  # the conversation ended, or the partner left, while it was being recognised

    # -- the remote engine ----------------------------------------------------------------
    def _use_remote(self) -> bool:
        return self.engine == "openai" and self.remote is not None and self.now() >= self.fallback_until

    async def _transcribe_remote(self, utt: Utt) -> None:
        assert self.remote is not None
        pcm = b"".join(utt.chunks)
        started = self.now()
        try:
            text = await self.remote.transcribe(pcm)
        except RemoteError as exc:
            self.fallback_until = self.now() + FALLBACK_SECONDS
            self.note = f"{exc}; using PocketSphinx for {FALLBACK_SECONDS / 60:g} minutes"
            log.warning("speech service failed (%s); the embedded engine takes over", exc)
            self._announce()
            if not utt.discard:
                self._assign(utt)  # the same audio, recognised here
            return
        self.utts.pop(utt.uid, None)
        if not utt.discard:
            self._line(utt, text, {"audio": ut.seconds(len(pcm)), "cpu": 0.0, "wall": self.now() - started})
