"""The embedded engine's worker processes, seen from the event loop: start, feed, results."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

from heartlink_desktop.speech import messages as m
from heartlink_desktop.speech import worker

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds for a worker to load its model


class Pool:
    """N spawned processes running one engine ("whisper" or "pocketsphinx"), each decoding one
    utterance at a time; owned by speech/embedded.py's `Embedded`.

    `on_message(msg)` gets every message a worker sends, on the loop, until `stop`. Spawned,
    not forked: a fork of a process running Qt and an event loop is not safe.
    """

    def __init__(self, workers: int, engine: str, on_message: Callable[[m.FromWorker], None]) -> None:
        self.size = workers
        self.engine = engine
        self.on_message: Callable[[m.FromWorker], None] | None = on_message
        self.ctx = multiprocessing.get_context("spawn")
        self.outbox: Any = None
        self.inboxes: list[Any] = []
        self.procs: list[Any] = []
        self.ready: set[int] = set()
        self.alive: set[int] = set()
        self._reader: threading.Thread | None = None
        self._spawner: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.started = False

    def start(self) -> None:
        """Spawn the workers (in the background: each says `ready` once its model is loaded)."""
        if self.started:
            return
        self.started = True
        self._loop = asyncio.get_running_loop()
        self.outbox = self.ctx.Queue()
        for i in range(self.size):
            inbox = self.ctx.Queue()
            proc = self.ctx.Process(
                target=worker.run,
                args=(i, self.engine, inbox, self.outbox),
                name=f"heartlink-stt-{i}",
                daemon=True,
            )
            self.inboxes.append(inbox)
            self.procs.append(proc)
        self._spawner = threading.Thread(target=self._spawn_all, name="heartlink-stt-spawn", daemon=True)
        self._spawner.start()
        self._reader = threading.Thread(target=self._read, name="heartlink-stt-read", daemon=True)
        self._reader.start()

    def _spawn_all(self) -> None:
        for i, proc in enumerate(self.procs):
            try:
                proc.start()
                self.alive.add(i)
            except Exception as exc:
                log.warning("speech worker %d could not start (%s)", i, type(exc).__name__)
                self._deliver(m.Failed(i, None, "a speech worker could not start"))

    def _read(self) -> None:
        while True:
            try:
                msg = self.outbox.get()
            except (EOFError, OSError, ValueError):
                return
            if msg is None:
                return
            self._deliver(msg)

    def _deliver(self, msg: m.FromWorker) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._on, msg)
            except RuntimeError:  # the loop closed meanwhile
                pass

    def _on(self, msg: m.FromWorker) -> None:
        if self.on_message is None:
            return  # stopped: a message still in flight from a worker of this pool
        if isinstance(msg, m.Ready):
            self.ready.add(msg.worker)
        elif isinstance(msg, m.Gone):
            self.ready.discard(msg.worker)
            self.alive.discard(msg.worker)
        self.on_message(msg)

    def check(self) -> None:
        """A worker process that died (killed, crashed) is reported as gone."""
        for i in list(self.alive):
            proc = self.procs[i]
            if proc.pid is not None and not proc.is_alive():
                log.warning("speech worker %d stopped (exit code %s)", i, proc.exitcode)
                self._on(m.Failed(i, None, "a speech worker stopped; the others go on"))
                self._on(m.Gone(i))

    def send(self, index: int, msg: m.ToWorker) -> None:
        self.inboxes[index].put(msg)

    async def stop(self, timeout: float = 3.0) -> None:
        if not self.started:
            return
        self.started = False
        self.on_message = None
        for inbox in self.inboxes:
            inbox.put(m.Stop())
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._join, timeout)
        self._loop = None
        self.outbox.put(None)  # ends the reader
        if self._reader is not None:
            await loop.run_in_executor(None, self._reader.join, timeout)
        for q in [*self.inboxes, self.outbox]:
            q.close()
            q.cancel_join_thread()
        self.inboxes, self.procs = [], []
        self.ready.clear()
        self.alive.clear()

    def _join(self, timeout: float) -> None:
        if self._spawner is not None:
            self._spawner.join()
        for proc in self.procs:
            if proc.pid is None:
                continue
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)
