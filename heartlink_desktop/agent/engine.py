"""The facilitator at work: follows each session's events, keeps its timers, says its lines."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from heartlink_desktop.agent.hearing import SUMMARY_PARSE_WAIT, Hearing
from heartlink_desktop.agent.llm import KEY_ENV, LLMClient, LLMConfig, LLMError, Writer, llm_key
from heartlink_desktop.agent.nlp import Ear, PlainEar
from heartlink_desktop.agent.ports import FacilitatorSettings, RoomsView, Voice
from heartlink_desktop.agent.prompt import (
    SUMMARY_LIMIT,
    check_line,
    check_summary,
    clean_reply,
    interjection_messages,
    summary_messages,
)
from heartlink_desktop.core import events as ev
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.lines import Context, Line, build_context, offline_line
from heartlink_desktop.core.pacing import Conversation, Decision, Timing
from heartlink_desktop.core.summary import facts, offline_summary
from heartlink_desktop.core.topics import Topic, named_in, ranked
from heartlink_desktop.core.vocab import ACTIVE, FACILITATOR_SPEAKER, LLM_SUMMARY_BUDGET, ROLES

log = logging.getLogger(__name__)

TICK_SLACK = 0.01  # seconds added to each timer so it never fires just before its moment


class Facilitator:
    """The engine behind `host.facilitator`; also the service the host starts and stops.

    Owns each live session's pacing state (`Conversation`), its timers and what it heard
    (`Hearing`). It reads the rooms through `RoomsView`, speaks and moves phases through
    `Voice` (the rooms' talk), reads its settings
    through a getter (the host may replace them), and takes the time from `clock`."""

    def __init__(
        self,
        rooms: RoomsView,
        talk: Voice,
        settings: Callable[[], FacilitatorSettings],
        clock: Callable[[], datetime],
        lines: list[Line],
        *,
        ear: Ear | None = None,
        rng: random.Random | None = None,
        writer: Writer | None = None,
    ) -> None:
        self.rooms = rooms
        self.talk = talk
        self.settings = settings
        self.now = clock
        self.lines = lines
        self.hearing = Hearing(ear or PlainEar())
        self.decision_seconds: list[float] = []  # the time each line choice took (benchmarks)
        self.rng = rng or random.Random()
        self._writer = writer  # tests and embedders may give one; else made from the settings
        self.llm_options: dict[str, Any] = {}  # LLMConfig fields to override (timeouts, retries)
        self._key: str | None = None  # looked up when the service starts (the keyring may be slow)
        self._states: dict[str, Conversation] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = rooms.subscribe(self.on_event)

    # -- service --------------------------------------------------------------------------
    async def start(self) -> None:
        """Called by the host when it listens (the host itself is not used: the ports are)."""
        self._loop = asyncio.get_running_loop()  # the language model's worker starts at the first line
        s = self.settings()
        if s.llm_url:
            self._key = await asyncio.to_thread(llm_key)
            model = f", model {s.llm_model}" if s.llm_model else ""
            key = "with" if self._key else "without"
            log.info(
                "facilitator: LLM at %s%s, %s a key; %d offline lines as fallback",
                s.llm_url,
                model,
                key,
                len(self.lines),
            )
        else:
            log.info("facilitator: %d offline lines (no LLM configured)", len(self.lines))
        for session_id in list(self._states):
            self._schedule(session_id)

    async def stop(self) -> None:
        for session_id in list(self._states):
            self.hearing.forget(session_id)
        self._loop = None
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- settings -------------------------------------------------------------------------
    def timing(self) -> Timing:
        s = self.settings()
        return Timing(s.silence_seconds, s.cooldown_seconds, s.turns_without_ai)

    def writer(self) -> Writer | None:
        if self._writer is not None:
            return self._writer
        s = self.settings()
        if not s.llm_url:
            return None
        key = self._key or os.environ.get(KEY_ENV) or None
        return LLMClient(LLMConfig(s.llm_url, s.llm_model, key, **self.llm_options))

    def state(self, session_id: str) -> Conversation | None:
        return self._states.get(session_id)

    # -- what the window calls ------------------------------------------------------------
    def interject_now(self, session_id: str) -> bool:
        """Ask for a line in that session as soon as nobody is speaking. False if it is not active."""
        state = self._states.get(session_id)
        if state is None or not state.active or state.closing:
            return False
        state.host_request = True
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._tick, session_id)
        return True

    def set_phase(self, session_id: str, phase: str) -> None:
        """Move a session to a phase by the host's hand; CoreError if it is not live or not a phase."""
        self.talk.set_phase(session_id, phase, self.now())

    # -- events ---------------------------------------------------------------------------
    def on_event(self, event: Event) -> None:
        try:
            self._on_event(event)
        except Exception:  # never let the facilitator break the core's publishing
            log.exception("facilitator could not follow a %s event", event.kind)

    def _on_event(self, event: Event) -> None:
        session_id = event.session_id
        if event.kind in (ev.ENDED, ev.DELETED):
            self._forget(session_id)
            return
        now = self.now()
        session = self.rooms.get(session_id)  # the live state, read in place: no copy
        state = self._states.get(session_id)
        if state is None:
            if session is None or not session.live:
                return
            state = self._states[session_id] = Conversation(now, phase=session.phase)
        if session is not None:  # a slot held for someone reconnecting is not a conversation
            state.set_active(session.status == ACTIVE and not session.reconnecting, now)
        d = event.data
        if event.kind == ev.TRANSCRIPT:
            entry = d.get("entry", {})
            if entry.get("speaker") == FACILITATOR_SPEAKER:
                state.on_ai(now)
            elif entry.get("speaker") in ROLES:
                state.on_line(entry["speaker"], str(entry.get("text", "")), now)
                if self._loop is not None:  # parsed off the loop now, ready when a line is chosen
                    self.hearing.heard(session_id, str(entry.get("text", "")))
        elif event.kind == ev.AUDIO:
            state.on_audio(str(d.get("role")), bool(d.get("speaking")), now)
        elif event.kind == ev.PHASE:
            state.on_phase(str(d.get("phase")), now)
        self._schedule(session_id)

    def _forget(self, session_id: str) -> None:
        self._states.pop(session_id, None)
        self.hearing.forget(session_id)
        handle = self._timers.pop(session_id, None)
        if handle is not None:
            handle.cancel()

    # -- timers ---------------------------------------------------------------------------
    def _schedule(self, session_id: str) -> None:
        handle = self._timers.pop(session_id, None)
        if handle is not None:
            handle.cancel()
        state = self._states.get(session_id)
        if self._loop is None or state is None:
            return
        now = self.now()
        wake = state.wake_at(now, self.timing())
        if wake is None:
            return
        delay = max(0.0, (wake - now).total_seconds()) + TICK_SLACK
        self._timers[session_id] = self._loop.call_later(delay, self._tick, session_id)

    def _tick(self, session_id: str) -> None:
        state = self._states.get(session_id)
        if state is None or self._loop is None:
            return
        try:
            now = self.now()
            nxt = state.next_phase(now)
            if nxt is not None:
                self.talk.set_phase(session_id, nxt, now)  # the PHASE event updates the state
            decision = state.decide(now, self.timing())
            if decision is not None:
                state.begin(decision)
                task = self._loop.create_task(self._speak(session_id, state, decision))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except CoreError:  # set_phase: the session is no longer live
            self._forget(session_id)
            return
        except Exception:
            log.exception("facilitator tick failed")
        self._schedule(session_id)

    # -- speaking -------------------------------------------------------------------------
    async def _speak(self, session_id: str, state: Conversation, decision: Decision) -> None:
        try:
            made = await self._compose(session_id, state, decision)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("facilitator could not write a line")
            made = None
        finally:
            state.done()
        if made is None:
            state.on_nothing(self.now())
        elif self._states.get(session_id) is state:
            text, source, line_id, topic_keys = made
            now = self.now()
            if state.still_fits(decision, now):  # else a later tick tries again
                try:
                    self.talk.add_interjection(session_id, text, now, source=source)
                    state.said(line_id, topic_keys)
                except CoreError:
                    pass
        self._schedule(session_id)

    async def _compose(
        self, session_id: str, state: Conversation, decision: Decision
    ) -> tuple[str, str, str | None, frozenset[str]] | None:
        session = self.rooms.get(session_id)
        if session is None:
            return None
        snapshot = session.to_dict()
        heard, latest = await self.hearing.topics(session_id, snapshot)
        started = time.perf_counter()
        best = [t for t in ranked(heard, latest) if t.key not in state.last_topics]
        ctx = build_context(
            snapshot,
            spice=session.spiciness,
            mild=decision.mild,
            rng=self.rng,
            topics=tuple(t.text for t in best[:5]),
        )
        names = {r: p.name for r, p in session.profiles.items()}
        pick = offline_line(
            self.lines,
            ctx,
            heard,
            names,
            latest=latest,
            last=state.last_topics,
            asked=state.asked,
            used=state.used,
            rng=self.rng,
        )
        self.decision_seconds.append(time.perf_counter() - started)
        source = "builtin"
        writer = self.writer()
        if writer is not None:
            # its line must name something said when its line before did not (and one could):
            # then at least every other line does, the LLM's as the decks'
            must_follow = (
                pick is not None and bool(pick.topic) and state.last_ai is not None and not state.last_topics
            )
            made = await self._ask_llm(writer, snapshot, ctx, decision, heard, state, must_follow)
            if made is not None:
                return made
            source = "fallback"
        if pick is None:
            log.info("no unused deck line fits session %s any more", session_id)
            return None
        return pick.text, source, pick.line.id, self._named(pick.text, heard)

    @staticmethod
    def _named(text: str, heard: list[Topic]) -> frozenset[str]:
        return frozenset(t.key for t in named_in(text, heard))

    async def _ask_llm(
        self,
        writer: Writer,
        snapshot: dict[str, Any],
        ctx: Context,
        decision: Decision,
        heard: list[Topic],
        state: Conversation,
        follow_up: bool,
    ) -> tuple[str, str, str | None, frozenset[str]] | None:
        """The LLM's line, checked like an offline one; None to let the decks answer."""
        names = tuple(str(p.get("name", "")) for p in snapshot.get("participant_profiles", {}).values())
        try:
            messages = interjection_messages(snapshot, ctx, decision.reason, heard, state.last_topics)
            text = clean_reply(await writer.complete(messages), names)
        except LLMError as exc:
            log.warning("LLM failed (%s); the offline decks answer", exc)
            return None
        except Exception as exc:  # a bug or an odd reply must not silence the facilitator
            log.warning("LLM client failed (%s); the offline decks answer", type(exc).__name__)
            return None
        said = [
            str(e.get("text", "")) for e in snapshot["transcript"] if e.get("speaker") == FACILITATOR_SPEAKER
        ]
        problem = check_line(text, said, heard, state.last_topics, follow_up=follow_up)
        if problem:
            log.info("the LLM's line was not used (%s); the offline line instead", problem)
            return None
        return text, "llm", None, self._named(text, heard)

    # -- summary --------------------------------------------------------------------------
    async def summarize(self, snapshot: dict[str, Any]) -> str:
        """The session_ended summary: the LLM's when one answers and it passes the checks, the
        offline one otherwise."""
        session_id = str(snapshot.get("session_id"))
        state = self._states.get(session_id)
        if state is not None:
            state.closing = True  # it is about to end: say nothing more
        heard, _ = await self.hearing.topics(session_id, snapshot, wait=SUMMARY_PARSE_WAIT)
        offline = offline_summary(snapshot, heard)
        writer = self.writer()
        f = facts(snapshot)
        if writer is None or not (f.lines["A"] or f.lines["B"]):
            return offline
        try:
            async with asyncio.timeout(LLM_SUMMARY_BUDGET):
                raw = await writer.complete(summary_messages(snapshot, f, heard), max_tokens=400)
            text = clean_reply(raw, tuple(f.names.values()), limit=SUMMARY_LIMIT)
            problem = check_summary(text, snapshot, heard)
            if not problem:
                return text
            log.info("the LLM's summary was not used (%s); the offline one instead", problem)
        except (LLMError, TimeoutError) as exc:
            log.warning("LLM summary failed (%s); the offline summary is used", exc)
        except Exception as exc:
            log.warning("LLM summary failed (%s); the offline summary is used", type(exc).__name__)
        return offline
