"""Session files: one JSON file per live session, written atomically off the event loop.

The core's events reach `SessionStore.__call__` on the loop thread, which only records what
changed (the session's small header, and the new line) and hands it to one writer thread. The
writer keeps each session's lines already encoded, so a write costs a join of strings, not a
copy and a dump of the whole conversation, and writes a session at most once per `interval`
(coalescing): after a crash (kill -9) every file is whole JSON and lacks at most the changes of
the last interval (plus the time of one write). A speaking toggle alone never causes a write.
A session's file is deleted on the loop thread, at once, when the session is deleted; a write
already under way for it is dropped, never committed after the delete.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.session import Session
from heartlink_desktop.paths import atomic_write

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^session_\d{8}_\d{6}(_\d+)?$")

WRITE_INTERVAL = 0.25  # seconds: at most one write per session per interval
# Events that change what the file holds. AUDIO (a speaking toggle) only moves
# last_audio_activity: it is written with the next change, never on its own.
_DIRTY = {ev.CREATED, ev.JOINED, ev.TRANSCRIPT, ev.PHASE, ev.UPDATED, ev.PEER_STATUS}

Lookup = Callable[[str], Session | None]


@dataclass
class _Doc:
    """What the writer knows of one session: its header and its lines, each encoded once."""

    head: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    dirty: bool = True
    written_at: float = float("-inf")  # monotonic time of the last write


class SessionStore:
    """The session files: an observer of the rooms that marks a session dirty on each event,
    and a writer thread that writes each dirty session's JSON atomically (at most every 250
    ms) and deletes it when the session ends. Held by the host."""

    def __init__(self, directory: Path, *, interval: float = WRITE_INTERVAL) -> None:
        self.directory = directory
        self.interval = interval
        self.writes = 0  # files written so far (read by tests and benchmarks)
        self._lookup: Lookup = lambda _sid: None
        self._cond = threading.Condition()
        self._ops: list[tuple[str, Any]] = []  # for the writer, in order (under _cond)
        self._docs: dict[str, _Doc] = {}  # the writer's own; only it touches them
        # sessions whose file must never come back (under _cond); session ids are never reused
        self._deleted: set[str] = set()
        self._thread: threading.Thread | None = None
        self._closing = False

    def attach(self, lookup: Lookup) -> None:
        """Where the store reads a session's header when an event says it changed."""
        self._lookup = lookup

    def path(self, session_id: str) -> Path:
        if not _SAFE_ID.match(session_id):
            raise ValueError(f"not a session id: {session_id!r}")
        return self.directory / f"{session_id}.json"

    def clear_stale(self) -> list[str]:
        """Remove files a previous run left (a crash): their sockets are gone, so are they.
        Call it while nothing is pending (before the first event, or after `flush()`)."""
        removed = []
        for p in list(self.directory.glob("session_*.json")) + list(self.directory.glob(".session_*.tmp")):
            p.unlink(missing_ok=True)
            removed.append(p.name)
        if removed:
            log.info("removed %d session file(s) left by an earlier run", len(removed))
        return removed

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("session_*.json"))

    # -- the loop thread ------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        """An observer of the core: note what changed; the writer thread does the rest."""
        sid = event.session_id
        if event.kind == ev.DELETED:
            with self._cond:
                self._deleted.add(sid)
                self._ops.append(("forget", sid))
                self._cond.notify()
                # under the lock: a write of this session cannot be committed meanwhile
                self.path(sid).unlink(missing_ok=True)
            return
        if event.kind not in _DIRTY:
            return  # ENDED: DELETED follows at once; AUDIO: never a write of its own
        session = self._lookup(sid)
        if session is None:
            return
        head = session.to_dict(transcript=False)  # small: the lines come one by one
        line = event.data.get("entry") if event.kind == ev.TRANSCRIPT else None
        self._put(("change", (sid, head, line)))

    def flush(self, session_id: str | None = None) -> concurrent.futures.Future[None]:
        """Write what is pending now, not at the end of the interval (one session, or all);
        the future is done once it is on disk. `asyncio.wrap_future` awaits it on the loop."""
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._put(("flush", (session_id, done)))
        return done

    def close(self, timeout: float = 10.0) -> None:
        """Flush everything and stop the writer thread (the host stops)."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._closing = True
            self._cond.notify()
        thread.join(timeout)
        self._thread = None
        self._closing = False

    def _put(self, op: tuple[str, Any]) -> None:
        with self._cond:
            self._ops.append(op)
            self._cond.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="heartlink-session-files", daemon=True)
                self._thread.start()

    # -- the writer thread ----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._ops and not self._closing:
                    wait = self._next_due()
                    if wait is not None and wait <= 0:
                        break
                    self._cond.wait(wait)
                ops, self._ops = self._ops, []
                closing = self._closing
            flushes = []
            for kind, arg in ops:
                if kind == "change":
                    self._apply(*arg)
                elif kind == "forget":
                    self._docs.pop(arg, None)
                else:
                    self._write_due(only=arg[0], force=True)
                    flushes.append(arg[1])
            self._write_due(force=closing)
            for done in flushes:
                if not done.done():
                    done.set_result(None)
            if closing:
                with self._cond:
                    if not self._ops:
                        return

    def _apply(self, sid: str, head: dict[str, Any], line: dict[str, Any] | None) -> None:
        doc = self._docs.get(sid)
        if doc is None:
            doc = self._docs[sid] = _Doc(head)
        doc.head = head
        if line is not None:
            doc.lines.append(json.dumps(line, ensure_ascii=False))
        doc.dirty = True

    def _next_due(self) -> float | None:
        """Seconds until the earliest pending write may happen (None: nothing pending)."""
        dues = [d.written_at + self.interval for d in self._docs.values() if d.dirty]
        return None if not dues else min(dues) - time.monotonic()

    def _write_due(self, *, only: str | None = None, force: bool = False) -> None:
        now = time.monotonic()
        for sid, doc in list(self._docs.items()):
            if not doc.dirty or (only is not None and sid != only):
                continue
            if force or now >= doc.written_at + self.interval:
                self._write(sid, doc)

    def _write(self, sid: str, doc: _Doc) -> None:
        doc.dirty = False
        doc.written_at = time.monotonic()
        try:
            atomic_write(self.path(sid), render(doc.head, doc.lines), replace=self._commit(sid))
        except OSError:  # a full disk must not stop the writer: the next change tries again
            log.exception("could not write the session file of %s", sid)

    def _commit(self, sid: str) -> Callable[[str, Path], bool]:
        def commit(tmp: str, path: Path) -> bool:
            with self._cond:
                if sid in self._deleted:
                    return False  # the session ended while this was written
                self.writes += 1  # first: whoever sees the new file sees it counted
                try:
                    os.replace(tmp, path)
                except OSError:
                    self.writes -= 1
                    raise
                return True

        return commit


def render(head: dict[str, Any], lines: list[str]) -> bytes:
    """The file: the header as indented JSON, then the transcript, one line per entry."""
    body = json.dumps(head, indent=2, ensure_ascii=False)
    transcript = "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
    if body == "{}":
        return f'{{\n  "transcript": {transcript}\n}}'.encode()
    return f'{body[:-2]},\n  "transcript": {transcript}\n}}'.encode()
