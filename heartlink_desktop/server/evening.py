"""An evening of rounds on the server: the lobby, the round's conversations, the timer, the file.

The pure `core.evening.Evening` decides; this carries it out: it keeps who each person is
across sockets (a secret the page keeps), seats each round's pairs through `Rooms.pair`, moves
their phases, says the wrap-up line, ends the round's conversations (each then asks its
private "again?"), tells every page where the evening stands, and at the end gives each
person their mutual matches. The evening's state (schedule, who met whom, answers; never a
contact) is written atomically to one file while it runs, and deleted when it ends or is reset.
A host started after a crash reads it back paused: it waits for people to come back with
their secrets, and goes on when the host says `resume` (or by itself when two people who have
not met are back).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from heartlink_desktop.aio import Alarm, TaskSet
from heartlink_desktop.core import events as ev
from heartlink_desktop.core.again import Answers
from heartlink_desktop.core.compat import compatible
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.evening import (
    ENDED,
    Effect,
    Evening,
    EveningEnded,
    PhaseDue,
    RoundClosed,
    RoundOpened,
    WrapUp,
    page_status,
    status_line,
    wrap_up_line,
)
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.notices import EveningJoined, EveningOver, EveningStatus
from heartlink_desktop.core.ports import Clock, News, Notify
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.safety import Safety
from heartlink_desktop.core.vocab import (
    PEER_DISCONNECTED,
    PHASES,
    ROUND_OVER,
    YOU_LEFT,
)
from heartlink_desktop.paths import atomic_write
from heartlink_desktop.server.again import Again
from heartlink_desktop.server.guard import Guard
from heartlink_desktop.server.people import People
from heartlink_desktop.server.services import Entry, Seating

log = logging.getLogger(__name__)

FILE_NAME = "evening.json"
COMMANDS = ("start", "next", "resume", "end", "status")

Ender = Callable[[str, str], Awaitable[bool]]
"""Ends one conversation with a reason, its summary written first (server/host.py `end_session`)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class EveningService:
    """An evening of rounds, in front of the rooms' own matchmaking (`plain`): the host's
    `entry` while it is on, so a page's join, leave and disconnect come here first.

    It keeps the pure `Evening`, who each person is (their secret's digest; `people` binds each
    page's socket to its person, so "again?" knows them across sockets), each round's
    conversations, the round clock and the evening's file. What it decides goes out as notices
    (`notify`); the window hears `news`. Made by the host's `switch_evening` (the composition
    root or the window), started and stopped with the host."""

    def __init__(
        self,
        *,
        rounds: int,
        round_minutes: float,
        break_seconds: float,
        seating: Seating,
        plain: Entry,
        end: Ender,
        again: Again,
        people: People,
        notify: Notify,
        news: News,
        clock: Clock,
        guard: Guard,
        file: Path,
    ) -> None:
        self.evening = Evening(rounds, round_minutes * 60, break_seconds)
        self.file = file
        self._rooms = seating
        self._plain = plain
        self._end = end
        self._again = again
        self._people = people
        self._notify = notify
        self._news = news
        self._clock = clock
        self._guard = guard
        self.evening.may_meet = self._may_meet
        self._by_digest: dict[str, str] = {}  # sha256(secret) -> person (the secret is the page's)
        self._names: dict[str, str] = {}  # every person this evening has known
        self._profiles: dict[str, Profile] = {}
        self._round_sessions: dict[str, tuple[str, str]] = {}  # session id -> the pair in it
        self._closing: set[str] = set()  # the round's conversations being ended together
        self._leaving: dict[str, str] = {}  # session id -> the socket that left it (LEFT, then ENDED)
        self._alarm = Alarm(clock, self._fire)
        self._tasks = TaskSet("the evening")
        self._batch: asyncio.Task[None] | None = None  # the effects being carried out, in order
        self._running = False
        self._unsubscribe = [
            seating.subscribe(self._on_event),
            again.subscribe(self._save),
            guard.subscribe(self._save),
        ]

    def detach(self) -> None:
        """Stop hearing the rooms and the answers (the window turned the evening off)."""
        for stop in self._unsubscribe:
            stop()
        self._unsubscribe = []

    # -- service --------------------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        self._restore()
        self._schedule()
        self._announce()  # a restored evening: the window shows it paused, not the lobby

    async def stop(self) -> None:
        """The host stops: the evening is over (a crash, not a stop, leaves the file behind)."""
        self._running = False
        self._alarm.cancel()
        self.file.unlink(missing_ok=True)
        self._tasks.cancel()

    # -- people (the host's Entry while the evening is on) ------------------------------------
    def join(self, sid: str, profile: Profile, payload: dict[str, Any]) -> None:
        """A page's `join` in an evening: into the lobby (or back, with the page's secret)."""
        if self._people.bound(sid) is not None:
            raise CoreError("already_joined", "You are already in this evening.")
        if self.evening.state == ENDED:
            raise CoreError("evening_ended", "The evening is over. Thank you for coming!")
        secret = payload.get("person")
        person = self._by_digest.get(_digest(secret)) if isinstance(secret, str) and secret else None
        stale = None if person is None else self._people.sid_of(person)
        if stale is not None and stale != sid and self._rooms.locate(stale) is None:
            self._people.unbind(stale)  # back on a new socket before the host saw the old one go
        if person is None or self._people.connected(person):
            person, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
            self._by_digest[_digest(secret)] = person
        assert isinstance(secret, str)
        self._guard.admit(sid, person, profile, payload)  # CoreError('removed')
        self.evening.join(person, profile.name)
        self._people.bind(sid, person)
        self._names[person], self._profiles[person] = profile.name, profile
        self._notify(EveningJoined(sid, secret, self._status_for(person)))
        self._save()
        self._announce()
        if self.evening.ready_to_resume():
            self._tasks.spawn(self._resume_by_itself())

    def _may_meet(self, a: str, b: str) -> bool:
        """The rounds' rule: their profiles under the host's mode, never a reported or removed one."""
        pa, pb = self._profiles.get(a), self._profiles.get(b)
        fits = pa is None or pb is None or compatible(pa, pb, self._guard.mode)
        return fits and self._guard.may_pair(a, b)

    def forget(self, sid: str) -> None:
        """The host removed this socket's person: out of the evening's plan for good."""
        person = self._people.bound(sid)
        if person is not None:
            self.evening.leave(person)
            self._save()
            self._announce()

    async def _resume_by_itself(self) -> None:
        if not self.evening.ready_to_resume():
            return  # someone left again, or the host resumed it meanwhile
        try:
            effects = self.evening.resume(self._clock())
        except CoreError:
            return
        await self._carry(effects)
        self._news("evening_news", line=f"Two people are back: the evening goes on. {self.status_line()}")

    def leave(self, sid: str) -> None:
        """The page's `leave`: in a conversation, as any leave; in the lobby or a break, out of
        the schedule."""
        person = self._people.bound(sid)
        if person is None or self._rooms.locate(sid) is not None:
            self._plain.leave(sid)
            return
        self.evening.leave(person)
        self._notify(EveningStatus(sid, {**self._status_for(person), "you": YOU_LEFT}))
        self._people.unbind(sid)
        self._save()
        self._announce()

    async def gone(self, sid: str) -> None:
        """A socket closed. In a conversation the slot is held (Rooms); elsewhere the person
        is out of the next round's plan until they come back with their secret."""
        person = self._people.bound(sid)
        if person is not None and self._rooms.locate(sid) is None:
            self.evening.leave(person)
            self._people.unbind(sid)
            self._save()
            self._announce()
        await self._plain.gone(sid)

    def _on_event(self, event: Event) -> None:
        d = event.data
        if event.kind == ev.LEFT and event.session_id in self._round_sessions:
            self._leaving[event.session_id] = d["sid"]
        elif event.kind == ev.ENDED and event.session_id in self._round_sessions:
            self._round_sessions.pop(event.session_id)
            gone = self._leaving.pop(event.session_id, None)
            person = self._people.bound(gone or "")
            if d.get("reason") == PEER_DISCONNECTED and person is not None:
                # never came back within the grace: out of the plan until they join again
                self.evening.leave(person)
                self._people.unbind(gone or "")
            if event.session_id in self._closing:
                return  # the round closes: everyone hears where the evening stands, once
            # one who ended the call (peer_left) stays in the evening, for the next round
            for sid in d.get("sids", []):
                person = self._people.bound(sid)
                if person is not None and self.evening.state != ENDED:
                    self._notify(EveningStatus(sid, self._status_for(person)))
            self._announce()

    # -- the host's commands --------------------------------------------------------------
    async def command(self, name: str) -> str:
        """start | next | resume | end | status, as typed on standard input or clicked in the
        window. Returns one line of plain words (a refusal says why), once it is carried out."""
        name = name.strip().lower()
        if name not in COMMANDS:
            return f"Unknown command {name!r}: use {', '.join(COMMANDS)}."
        if name == "status":
            return self.status_line()
        try:
            effects = getattr(self.evening, name)(self._clock())
        except CoreError as exc:
            return exc.message
        await self._carry(effects)
        return self.status_line()

    def status(self) -> dict[str, Any]:
        s = self.evening.status(self._clock())
        s.update(self._again.counts(), enabled=True, round_minutes=self.evening.round_seconds / 60)
        return s

    def status_line(self) -> str:
        return status_line(self.status())

    # -- time -----------------------------------------------------------------------------
    def _schedule(self) -> None:
        deadline = self.evening.next_deadline()
        if not self._running or deadline is None:
            self._alarm.cancel()
            return
        self._alarm.set(deadline)

    def _fire(self) -> None:
        self._carry(self.evening.tick(self._clock()))

    # -- carrying out what the evening decided ----------------------------------------------
    def _carry(self, effects: list[Effect]) -> asyncio.Task[None]:
        """Carry out the effects after those decided before them (a round's conversations may
        take a while to end: each writes its summary). The decisions themselves never wait."""
        before = self._batch
        batch = self._tasks.spawn(self._carry_after(before, effects))
        self._batch = batch
        return batch

    async def _carry_after(self, before: asyncio.Task[None] | None, effects: list[Effect]) -> None:
        if before is not None and not before.done():
            await asyncio.wait([before])
        try:
            await self._carry_out(effects)
        except Exception:
            log.exception("carrying out the evening's decision failed")
        finally:
            self._schedule()

    async def _carry_out(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, RoundOpened):
                self._open(effect)
            elif isinstance(effect, PhaseDue | WrapUp):
                self._to_each_conversation(effect)
            elif isinstance(effect, RoundClosed):
                await self._close_round()
            elif isinstance(effect, EveningEnded):
                self._finish()
        if self.evening.state != ENDED:
            self._save()
            self._tell_everyone()
        self._announce()

    async def _close_round(self) -> None:
        """End every conversation of the round at once: their summaries are written side by side."""
        ids = list(self._round_sessions)
        self._closing.update(ids)
        try:
            await asyncio.gather(*(self._end(session_id, ROUND_OVER) for session_id in ids))
        finally:
            self._closing.difference_update(ids)

    def _to_each_conversation(self, effect: PhaseDue | WrapUp) -> None:
        """The round's phase, or its wrap-up line, in every conversation of the round."""
        now = self._clock()
        talk = self._rooms.talk
        for session_id in list(self._round_sessions):
            try:
                if isinstance(effect, PhaseDue):
                    session = self._rooms.get(session_id)
                    if session is not None and PHASES.index(session.phase) < PHASES.index(effect.phase):
                        talk.set_phase(session_id, effect.phase, now)  # forward only
                else:
                    talk.add_interjection(session_id, wrap_up_line(effect.seconds_left), now, source="round")
            except CoreError:
                pass  # it ended a moment ago

    def _open(self, effect: RoundOpened) -> None:
        now = self._clock()
        for a, b in effect.pairs:
            sa, sb = self._people.sid_of(a), self._people.sid_of(b)
            if sa is None or sb is None:
                continue  # one of them is not connected right now: both wait for the next round
            try:
                session = self._rooms.pair((sa, self._profiles[a]), (sb, self._profiles[b]), now)
            except CoreError as exc:
                log.warning("round %d: could not seat a pair (%s)", effect.number, exc.code)
                continue
            self._round_sessions[session.session_id] = (a, b)

    def _finish(self) -> None:
        for person in self._names:
            sid = self._people.sid_of(person)
            if sid is not None:
                self._notify(EveningOver(sid, self.evening.number, self._again.matches_of(person)))
        self.file.unlink(missing_ok=True)

    def reset(self) -> None:
        """A reset wipes the evening: schedule, people, answers, the file."""
        self._alarm.cancel()
        old = self.evening
        self.evening = Evening(old.rounds, old.round_seconds, old.break_seconds)
        for person in self._names:
            sid = self._people.sid_of(person)
            if sid is not None:
                self._people.unbind(sid)
        self._by_digest.clear()
        self._names.clear()
        self._profiles.clear()
        self._round_sessions.clear()
        self._leaving.clear()
        self.file.unlink(missing_ok=True)
        self._announce()

    # -- what each page and the window are told ---------------------------------------------
    def _status_for(self, person: str) -> dict[str, Any]:
        sid = self._people.sid_of(person)
        talking = (
            self.evening.pair_of(person) is not None
            and sid is not None
            and self._rooms.locate(sid) is not None
        )
        sitting_out = person in self.evening.breaks
        return page_status(self.evening.status(self._clock()), talking=talking, sitting_out=sitting_out)

    def _tell_everyone(self) -> None:
        for person in self._names:
            sid = self._people.sid_of(person)
            if sid is not None:
                self._notify(EveningStatus(sid, self._status_for(person)))

    def _announce(self) -> None:
        self._news("evening", **self.status())

    # -- the file --------------------------------------------------------------------------
    def _save(self) -> None:
        if self.evening.state == ENDED:
            return
        data = {
            "evening": self.evening.to_dict(),
            "answers": self._again.answers.to_dict(),
            "people": dict(self._names),
            "secrets": dict(self._by_digest),  # digests only: the secret itself stays on the page
            "safety": self._guard.safety.to_dict(),  # reports and removals survive a crash
        }
        try:
            atomic_write(self.file, json.dumps(data, indent=1).encode())
        except OSError:
            log.exception("could not write the evening's file")

    def _restore(self) -> None:
        """After a crash: the schedule, who met whom and the answers come back from the file."""
        try:
            data = json.loads(self.file.read_text("utf-8"))
            evening = Evening.from_dict(data["evening"])
            answers = Answers.from_dict(data["answers"])
            safety = Safety.from_dict(data.get("safety", {}))
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("the evening's file could not be read; starting a new evening")
            self.file.unlink(missing_ok=True)
            return
        evening.after_crash()  # paused: everyone comes back by joining again, with their secret
        self.evening = evening
        self._names = {str(k): str(v) for k, v in data.get("people", {}).items()}
        self._by_digest = {str(k): str(v) for k, v in data.get("secrets", {}).items()}
        self._guard.restore(safety, self._names)
        self._again.restore(answers)
        log.info("an evening was restored from its file (round %d), %s", evening.number, evening.state)
