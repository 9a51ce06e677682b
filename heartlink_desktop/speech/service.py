"""The speech service: each participant's audio cut into utterances (streams, audio in, the
timer), and what the page and the window are told; recognising is speech/engines.py."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core import utterance as ut
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.vocab import ACTIVE
from heartlink_desktop.speech.engines import Engines, Stream, Utt
from heartlink_desktop.speech.pool import Pool
from heartlink_desktop.speech.remote import RemoteEngine

log = logging.getLogger(__name__)

TICK = 0.1  # seconds between checks for utterances the page did not end
MAX_BEHIND_SECONDS = 30.0  # audio a stream may have waiting for a worker; older is dropped
ERROR_EVERY = 1.0  # the same audio error goes to a page at most once a second
RECENT = 5.0  # a stream that sent audio this recently counts as being transcribed

ENGINE_LABELS = {"pocketsphinx": "PocketSphinx (on this computer)", "openai": "Speech service", "off": "Off"}
OVER_CAPACITY = (
    "The host is transcribing as many voices as it can: your words may appear late, or not at all. "
    "The typed box always works."
)


class Speech(Engines):
    """Installed on the host as a service; the namespace hands it `audio` and `audio_end`."""

    def __init__(
        self, engine: str = "pocketsphinx", workers: int = 2, remote: RemoteEngine | None = None
    ) -> None:
        self.engine = engine
        self.workers = max(1, workers)
        self.remote = remote
        self.host: Any = None
        self.pool: Pool | None = None
        self.streams: dict[str, Stream] = {}
        self.utts: dict[str, Utt] = {}
        self.waiting: deque[Utt] = deque()
        self.busy: dict[int, Utt] = {}  # worker -> the utterance it decodes
        self.fallback_until = 0.0
        self.note = ""  # why the engine in use is not the one chosen, or a worker problem
        self.stats: deque[dict[str, float]] = deque(maxlen=200)  # per line: for the benchmark
        self._tasks: set[asyncio.Task[Any]] = set()
        self._tick: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None
        self._last_status: dict[str, Any] = {}
        self._errors: dict[str, dict[str, float]] = {}  # sids with no stream yet

    @property
    def on(self) -> bool:
        return self.engine != "off"

    # -- service --------------------------------------------------------------------------
    async def start(self, host: Any = None) -> None:
        self.host = host if host is not None else self.host
        self._loop = asyncio.get_running_loop()
        self._unsubscribe = self.host.rooms.subscribe(self._on_event)
        if self.on:
            self._tick = asyncio.create_task(self._ticker(), name="heartlink-speech")
        self._announce(force=True)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._tick is not None:
            self._tick.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self.pool is not None:
            await self.pool.stop()
            self.pool = None
        self.streams.clear()
        self.utts.clear()
        self.waiting.clear()
        self.busy.clear()

    def now(self) -> float:
        return self._loop.time()

    def describe(self) -> str:
        """One line for the console: which engine, and where the voices go."""
        if self.engine == "off":
            return "off (a phone may offer its browser's own, which is an online service)"
        if self.engine == "openai" and self.remote is not None:
            return f"the speech service at {self.remote.url} (PocketSphinx here if it fails)"
        return f"PocketSphinx on this computer, {self.workers} voices at once"

    def set_engine(self, engine: str) -> None:
        """The host chose another engine in the window: from the next utterance on."""
        if engine not in ENGINE_LABELS or (engine == "openai" and self.remote is None):
            raise ValueError(f"there is no {engine!r} speech engine here (a speech service needs --stt-url)")
        self.engine = engine
        self.fallback_until, self.note = 0.0, ""
        if self.on and (self._tick is None or self._tick.done()):
            self._tick = asyncio.create_task(self._ticker(), name="heartlink-speech")
        for sid in list(self.host.clients):
            if self.host.rooms.locate(sid) is not None:
                self._tell(sid, self.streams.get(sid))
        self._announce()

    # -- what the page is told ------------------------------------------------------------
    def page_status(self, stream: Stream | None = None) -> dict[str, Any]:
        remote = self.engine == "openai" and self.now() >= self.fallback_until
        body: dict[str, Any] = {"transcribes": self.on, "engine": self.engine, "remote": remote}
        over = bool(stream and stream.over)
        body["over_capacity"] = over
        body["message"] = OVER_CAPACITY if over else ""
        return body

    def _tell(self, sid: str, stream: Stream | None = None) -> None:
        self.host.relay.send("speech_status", self.page_status(stream), to=sid)

    def _on_event(self, event: Event) -> None:
        d = event.data
        if event.kind == ev.JOINED or (event.kind == ev.PEER_STATUS and d.get("state") == ev.CONNECTED):
            self._tell(str(d.get("sid")))
        if event.kind == ev.LEFT or (event.kind == ev.PEER_STATUS and d.get("state") == ev.RECONNECTING):
            self._forget(str(d.get("sid")))
        elif event.kind == ev.ENDED:
            for sid in d.get("sids") or []:
                self._forget(str(sid))

    def _forget(self, sid: str) -> None:
        if self.streams.pop(sid, None) is None:
            return
        for utt in list(self.utts.values()):
            if utt.sid == sid:
                self._discard(utt)

    # -- audio in -------------------------------------------------------------------------
    def audio(self, sid: str, payload: Any) -> None:
        try:
            pcm = ut.check_chunk(payload)
            stream = self._stream(sid)
            stream.last_audio = self.now()
            self._apply(stream.cutter.feed(pcm, self.now()))
        except CoreError as exc:
            self._refuse(sid, exc)

    def audio_end(self, sid: str, payload: Any) -> None:
        try:
            stream = self._stream(sid)
            self._apply(stream.cutter.end(self.now()))
        except CoreError as exc:
            self._refuse(sid, exc)

    def _stream(self, sid: str) -> Stream:
        if not self.on:
            raise CoreError("speech_off", "This host does not transcribe speech; use the typed box.")
        session, _role = self.host.rooms.require(sid)  # not_in_session
        if session.status != ACTIVE:
            raise CoreError("not_active", "Your partner has not joined yet.")
        stream = self.streams.get(sid)
        if stream is None:
            stream = self.streams[sid] = Stream(sid, ut.Cutter(sid, self.now()))
        return stream

    def _refuse(self, sid: str, exc: CoreError) -> None:
        """The same error at most once a second per page: a streaming page sends 5 chunks a second."""
        stream = self.streams.get(sid)
        errors = stream.errors if stream is not None else self._loose_errors(sid)
        now = self.now()
        if now - errors.get(exc.code, -ERROR_EVERY) >= ERROR_EVERY:
            errors[exc.code] = now
            self.host.refuse(sid, exc)

    def _loose_errors(self, sid: str) -> dict[str, float]:
        if len(self._errors) > 1000:
            self._errors.clear()
        return self._errors.setdefault(sid, {})

    def _apply(self, actions: list[ut.Action]) -> None:
        for action in actions:
            if isinstance(action, ut.Start):
                sid = action.uid.rsplit(":", 1)[0]
                utt = self.utts[action.uid] = Utt(action.uid, sid)
                if self._use_remote():
                    continue  # buffered whole, sent at its end
                self._assign(utt)
            elif (found := self.utts.get(action.uid)) is None:
                continue  # dropped meanwhile (its stream's waiting audio ran over)
            elif isinstance(action, ut.Audio):
                self._add_audio(found, action.pcm)
            elif isinstance(action, ut.End):
                utt = found
                utt.ended, utt.ended_at = True, self.now()
                if utt.worker is not None:
                    self._pool().send(utt.worker, "end", utt.uid)
                elif self._use_remote() and utt not in self.waiting:
                    self._spawn(self._transcribe_remote(utt))
            elif isinstance(action, ut.Drop):
                self._discard(found)

    def _add_audio(self, utt: Utt, pcm: bytes) -> None:
        utt.nbytes += len(pcm)
        if utt.worker is not None:
            self._pool().send(utt.worker, "audio", utt.uid, pcm)
            return
        utt.chunks.append(pcm)
        if utt in self.waiting:
            self._bound(utt.sid)

    def _bound(self, sid: str) -> None:
        """A stream's waiting audio is bounded: its oldest waiting utterances go first."""
        mine = [u for u in self.waiting if u.sid == sid]
        while mine and ut.seconds(sum(u.nbytes for u in mine)) > MAX_BEHIND_SECONDS:
            self._discard(mine.pop(0))

    def _discard(self, utt: Utt) -> None:
        utt.discard = True
        utt.chunks = []
        if utt in self.waiting:
            self.waiting.remove(utt)
        if utt.worker is not None and not utt.ended:
            utt.ended = True
            self._pool().send(utt.worker, "end", utt.uid)  # frees the worker; the text is ignored
        if utt.worker is None:
            self.utts.pop(utt.uid, None)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- time -----------------------------------------------------------------------------
    async def _ticker(self) -> None:
        beat = 0
        while True:
            await asyncio.sleep(TICK)
            now = self.now()
            for stream in list(self.streams.values()):
                self._apply(stream.cutter.due(now))
            beat += 1
            if beat % 5 == 0:
                if self.pool is not None:
                    self.pool.check()  # a worker that died without a word
                self._announce()

    # -- what the window is told ----------------------------------------------------------
    def status(self) -> dict[str, Any]:
        now = self.now()
        in_use = self.engine
        if self.engine == "openai" and now < self.fallback_until:
            in_use = "pocketsphinx"
        behind = 0.0
        for utt in self.utts.values():
            if utt.discard:
                continue
            if utt.ended:
                behind = max(behind, now - utt.ended_at)
            elif utt.worker is None and utt in self.waiting:
                behind = max(behind, ut.seconds(utt.nbytes))
        streams = sum(1 for s in self.streams.values() if now - s.last_audio < RECENT)
        pool = self.pool
        return {
            "engine": self.engine,
            "in_use": in_use,
            "label": ENGINE_LABELS.get(in_use, in_use),
            "note": self.note,
            "streams": streams,
            "capacity": self.workers if in_use == "pocketsphinx" else None,
            "ready": len(pool.ready) if pool is not None else 0,
            "behind": round(behind, 1),
            "over_capacity": any(s.over for s in self.streams.values()),
            "choices": [e for e in ENGINE_LABELS if e != "openai" or self.remote is not None],
        }

    def _announce(self, force: bool = False) -> None:
        if self.host is None:
            return
        status = self.status()
        if force or status != self._last_status:
            self._last_status = status
            self.host.announce("speech", status=status)
