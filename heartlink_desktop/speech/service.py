"""The speech service: each participant's audio cut into utterances, handed to the engine in
use (the embedded one, speech/embedded.py, or the remote one with the embedded as its fall
back), and what the page and the window are told."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core import utterance as ut
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.notices import InterimWords, SpeechStatus
from heartlink_desktop.core.transcript import LINE_MAX
from heartlink_desktop.core.vocab import ACTIVE
from heartlink_desktop.speech import whisper
from heartlink_desktop.speech.embedded import Embedded, Utt
from heartlink_desktop.speech.host import SpeechHost
from heartlink_desktop.speech.remote import RemoteEngine, RemoteError

log = logging.getLogger(__name__)

TICK = 0.1  # seconds between checks for utterances the page did not end
ERROR_EVERY = 1.0  # the same audio error goes to a page at most once a second
RECENT = 5.0  # a stream that sent audio this recently counts as being transcribed
FALLBACK_SECONDS = 120.0  # after a remote failure, the embedded engine works this long
# Voices at once per worker, as the window shows it: PocketSphinx binds a worker to a voice
# while it speaks; Whisper needs a worker for about 0.6 s at the end of each utterance (0.12-0.19
# core per speaking stream in benchmarks/speech.py, so 3 per worker leaves room for queueing).
VOICES_PER_WORKER = {"pocketsphinx": 1, "whisper": 3}

ENGINE_LABELS = {
    "whisper": "Whisper (on this computer)",
    "pocketsphinx": "PocketSphinx (on this computer)",
    "openai": "Speech service",
    "off": "Off",
}
EMBEDDED = ("whisper", "pocketsphinx")
OVER_CAPACITY = (
    "The host is transcribing as many voices as it can: your words may appear late, or not at all. "
    "The typed box always works."
)


@dataclass
class Stream:
    """One participant's audio: its cutter and what its page was last told."""

    sid: str
    cutter: ut.Cutter
    last_audio: float = 0.0
    over: bool = False
    errors: dict[str, float] = field(default_factory=dict)


class Speech:
    """Speech to text on the host, installed by app.build_host as a service; the namespace hands
    it `audio` and `audio_end`, the window calls `set_engine` and reads `status`.

    Owns the streams, the embedded engine (`embedded`: Whisper or PocketSphinx in worker
    processes) and the optional remote engine. `engine` is the one chosen; `in_use()` the one
    working (the embedded engine while a remote one is failing)."""

    def __init__(
        self,
        host: SpeechHost,
        engine: str = "whisper",
        workers: int = 2,
        remote: RemoteEngine | None = None,
        embedded: str = "whisper",
        note: str = "",
    ) -> None:
        self.host = host
        self.engine = engine
        self.remote = remote
        self._loop: asyncio.AbstractEventLoop | None = None
        self.embedded = Embedded(embedded, workers, self, self.now, note)
        self.streams: dict[str, Stream] = {}
        self.utts: dict[ut.UttId, Utt] = {}  # the remote engine's, buffered whole
        self.fallback_until = 0.0
        self.remote_note = ""
        self.stats: deque[dict[str, float]] = deque(maxlen=200)  # per line: for the benchmark
        self._tasks: set[asyncio.Task[Any]] = set()
        self._tick: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._last_status: dict[str, Any] = {}
        self._errors: dict[str, dict[str, float]] = {}  # sids with no stream yet

    @property
    def on(self) -> bool:
        return self.engine != "off"

    @property
    def workers(self) -> int:
        return self.embedded.workers

    # -- service --------------------------------------------------------------------------
    async def start(self) -> None:
        """Started with the server (the host was given at construction)."""
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
        await self.embedded.stop()
        self.streams.clear()
        self.utts.clear()

    def now(self) -> float:
        return self._loop.time() if self._loop is not None else 0.0

    def in_use(self) -> str:
        if self.engine in EMBEDDED:
            return self.embedded.kind
        if self.engine == "openai" and self.now() < self.fallback_until:
            return self.embedded.kind
        return self.engine

    def describe(self) -> str:
        """One line for the console: which engine, and where the voices go."""
        if self.engine == "off":
            return "off (a phone may offer its browser's own, which is an online service)"
        if self.engine == "openai" and self.remote is not None:
            return f"the speech service at {self.remote.url} ({self.embedded.kind} here if it fails)"
        model = whisper.describe() if self.embedded.kind == "whisper" else "PocketSphinx, US English"
        said = f"{model} on this computer, {self.workers} worker processes"
        return f"{said} ({self.embedded.note})" if self.embedded.note else said

    def set_engine(self, engine: str) -> None:
        """The host chose another engine in the window: from the next utterance on."""
        if engine not in ENGINE_LABELS or (engine == "openai" and self.remote is None):
            raise ValueError(f"there is no {engine!r} speech engine here (a speech service needs --stt-url)")
        self.engine = engine
        self.fallback_until, self.remote_note = 0.0, ""
        if engine in EMBEDDED and engine != self.embedded.kind:
            if engine == "whisper" and (reason := whisper.available()):
                raise ValueError(f"Whisper cannot run here: {reason}")
            self._spawn(self._switch(engine))
        if self.on and (self._tick is None or self._tick.done()):
            self._tick = asyncio.create_task(self._ticker(), name="heartlink-speech")
        for sid in list(self.host.clients):
            if self.host.rooms.locate(sid) is not None:
                self._tell(sid, self.streams.get(sid))
        self._announce()

    async def _switch(self, kind: str) -> None:
        old, workers = self.embedded, self.embedded.workers
        self.embedded = Embedded(kind, workers, self, self.now)
        await old.stop()
        self._announce()

    # -- what the page is told ------------------------------------------------------------
    def page_status(self, stream: Stream | None = None) -> dict[str, Any]:
        in_use = self.in_use()
        body: dict[str, Any] = {"transcribes": self.on, "engine": in_use, "remote": in_use == "openai"}
        over = bool(stream and stream.over)
        body["over_capacity"] = over
        body["message"] = OVER_CAPACITY if over else ""
        # why the engine in use is not the better one chosen (Whisper could not run here)
        body["note"] = self.embedded.note if self.engine == "whisper" and in_use != "whisper" else ""
        return body

    def _tell(self, sid: str, stream: Stream | None = None) -> None:
        self.host.notify(SpeechStatus(sid, self.page_status(stream)))

    def _tell_all(self) -> None:
        for sid in list(self.host.clients):
            if self.host.rooms.locate(sid) is not None:
                self._tell(sid, self.streams.get(sid))

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
        self.embedded.forget(sid)
        for utt in [u for u in self.utts.values() if u.sid == sid]:
            utt.discard = True
            self.utts.pop(utt.uid, None)

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
        emb = self.embedded
        for action in actions:
            if isinstance(action, ut.Start):
                new = Utt(action.uid)
                if self._use_remote():
                    self.utts[new.uid] = new  # buffered whole, sent at its end
                else:
                    emb.begin(new)
                continue
            utt: Utt | None
            if (utt := self.utts.get(action.uid)) is not None:  # the remote engine's
                if isinstance(action, ut.Audio):
                    utt.chunks.append(action.pcm)
                    utt.nbytes += len(action.pcm)
                elif isinstance(action, ut.End):
                    utt.ended, utt.ended_at = True, self.now()
                    self._spawn(self._transcribe_remote(utt))
                elif isinstance(action, ut.Drop):
                    self.utts.pop(utt.uid, None)
            elif (utt := emb.utts.get(action.uid)) is None:
                continue  # dropped meanwhile (its stream's waiting audio ran over)
            elif isinstance(action, ut.Audio):
                emb.audio(utt, action.pcm)
            elif isinstance(action, ut.End):
                emb.end(utt)
            elif isinstance(action, ut.Drop):
                emb.discard(utt)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- what comes back (the embedded engine's Sink) -------------------------------------
    def heard(self, utt: Utt, text: str, stat: dict[str, float]) -> None:
        text = " ".join(str(text).split())
        delay = self.now() - utt.ended_at if utt.ended else 0.0
        self.stats.append({**stat, "delay": delay})
        if not text:
            return
        try:
            self.host.talk.add_line(utt.sid, text[:LINE_MAX], self.host.now())
        except CoreError:
            pass  # the conversation ended, or the partner left, while it was being recognised

    def interim(self, utt: Utt, text: str) -> None:
        """What is being said, before its line: for the partner's page only (never stored)."""
        found = self.host.rooms.locate(utt.sid)
        text = " ".join(text.split())[:300]
        if found is None or not text:
            return
        session, role = found
        body = {"session_id": session.session_id, "speaker": role, "text": text}
        self.host.notify(InterimWords(session.session_id, utt.sid, body))

    def changed(self) -> None:
        self._mark_over()
        self._announce()

    def _mark_over(self) -> None:
        over = self.embedded.over()
        for stream in self.streams.values():
            if (stream.sid in over) != stream.over:
                stream.over = stream.sid in over
                self._tell(stream.sid, stream)

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
            name = ENGINE_LABELS[self.embedded.kind].split(" (")[0]
            self.remote_note = f"{exc}; using {name} for {FALLBACK_SECONDS / 60:g} minutes"
            log.warning("speech service failed (%s); the embedded engine takes over", exc)
            self._announce()
            self.utts.pop(utt.uid, None)
            if not utt.discard:
                self.embedded.take(utt)  # the same audio, recognised here
            return
        self.utts.pop(utt.uid, None)
        if not utt.discard:
            self.heard(utt, text, {"audio": ut.seconds(len(pcm)), "cpu": 0.0, "wall": self.now() - started})

    # -- time -----------------------------------------------------------------------------
    async def _ticker(self) -> None:
        beat = 0
        shown_note = self.embedded.note
        while True:
            await asyncio.sleep(TICK)
            now = self.now()
            for stream in list(self.streams.values()):
                self._apply(stream.cutter.due(now))
            self.embedded.tick()
            beat += 1
            if beat % 5 == 0:
                self._mark_over()
                self._announce()
            if self.embedded.note != shown_note:  # Whisper fell back: the pages say why
                shown_note = self.embedded.note
                self._tell_all()

    # -- what the window is told ----------------------------------------------------------
    def status(self) -> dict[str, Any]:
        now = self.now()
        in_use = self.in_use()
        emb = self.embedded
        behind = emb.behind()
        for utt in self.utts.values():
            if utt.ended and not utt.discard:
                behind = max(behind, now - utt.ended_at)
        streams = sum(1 for s in self.streams.values() if now - s.last_audio < RECENT)
        embedded = in_use in EMBEDDED
        model = ""
        if in_use == "whisper":
            model = whisper.describe()
        elif in_use == "pocketsphinx":
            model = "PocketSphinx 5, US English (CMU Sphinx model)"
        elif in_use == "openai" and self.remote is not None:
            model = self.remote.config.model or "whisper-1"
        note = self.remote_note if self.engine == "openai" else ""
        if emb.note and in_use != "openai":
            note = f"{note}\n{emb.note}".strip()
        choices = [e for e in ENGINE_LABELS if e != "openai" or self.remote is not None]
        return {
            "engine": self.engine,
            "in_use": in_use,
            "label": ENGINE_LABELS.get(in_use, in_use),
            "model": model,
            "note": note,
            "streams": streams,
            "capacity": emb.workers * VOICES_PER_WORKER[emb.kind] if embedded else None,
            "ready": emb.ready(),
            "behind": round(behind, 1),
            "over_capacity": any(s.over for s in self.streams.values()),
            "choices": choices,
        }

    def _announce(self, force: bool = False) -> None:
        status = self.status()
        if force or status != self._last_status:
            self._last_status = status
            self.host.announce("speech", status=status)
