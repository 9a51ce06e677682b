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
from typing import TYPE_CHECKING, Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.again import Answers
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.evening import (
    BREAK,
    ENDED,
    LOBBY,
    PAUSED,
    ROUND,
    Effect,
    Evening,
    EveningEnded,
    PhaseDue,
    RoundClosed,
    RoundOpened,
    WrapUp,
)
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.vocab import (
    PEER_DISCONNECTED,
    PHASES,
    ROUND_OVER,
    YOU_BREAK,
    YOU_LEFT,
    YOU_TALKING,
    YOU_WAITING,
)
from heartlink_desktop.paths import atomic_write

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer

log = logging.getLogger(__name__)

LATE = 0.005  # seconds past a deadline, so the core agrees it has passed
FILE_NAME = "evening.json"
COMMANDS = ("start", "next", "resume", "end", "status")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def wrap_up_line(seconds: float) -> str:
    return (
        f"About {round(seconds)} seconds left in this round. "
        "What is one thing you'd like to remember about each other?"
    )


class EveningService:
    def __init__(self, host: HostServer, rounds: int, round_minutes: float, break_seconds: float) -> None:
        self.host = host
        self.evening = Evening(rounds, round_minutes * 60, break_seconds)
        self.file = host.paths.data / FILE_NAME
        self._by_digest: dict[str, str] = {}  # sha256(secret) -> person (the secret is the page's)
        self._sid: dict[str, str] = {}  # person -> connected socket
        self._person: dict[str, str] = {}  # socket -> person
        self._names: dict[str, str] = {}  # every person this evening has known
        self._profiles: dict[str, Profile] = {}
        self._round_sessions: dict[str, tuple[str, str]] = {}  # session id -> the pair in it
        self._leaving: dict[str, str] = {}  # session id -> the socket that left it (LEFT, then ENDED)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        host.again.person_of = lambda sid: self._person.get(sid, sid)
        host.again.sid_of = self._sid.get
        host.again.on_change.append(self._save)
        self._unsubscribe = host.rooms.subscribe(self._on_event)

    def detach(self) -> None:
        """Undo what __init__ hooked into the host (the window turned the evening off)."""
        self._unsubscribe()
        again = self.host.again
        again.person_of, again.sid_of = (lambda sid: sid), (lambda person: person)
        if self._save in again.on_change:
            again.on_change.remove(self._save)

    # -- service --------------------------------------------------------------------------
    async def start(self, host: HostServer) -> None:
        self._loop = asyncio.get_running_loop()
        self._restore()
        self._schedule()
        self._announce()  # a restored evening: the window shows it paused, not the lobby

    async def stop(self) -> None:
        """The host stops: the evening is over (a crash, not a stop, leaves the file behind)."""
        self._cancel()
        self.file.unlink(missing_ok=True)
        for task in list(self._tasks):
            task.cancel()
        self._loop = None

    # -- people ---------------------------------------------------------------------------
    def join(self, sid: str, profile: Profile, secret: Any) -> None:
        """A page's `join` in an evening: into the lobby (or back, with the page's secret)."""
        if sid in self._person:
            raise CoreError("already_joined", "You are already in this evening.")
        if self.evening.state == ENDED:
            raise CoreError("evening_ended", "The evening is over. Thank you for coming!")
        person = self._by_digest.get(_digest(secret)) if isinstance(secret, str) and secret else None
        if person is None or person in self._sid:
            person, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
            self._by_digest[_digest(secret)] = person
        self.evening.join(person, profile.name)
        self._sid[person], self._person[sid] = sid, person
        self._names[person], self._profiles[person] = profile.name, profile
        self.host.send("evening_joined", {"person": secret, **self._status_for(person)}, to=sid)
        self._save()
        self._announce()
        if self.evening.ready_to_resume():
            self._spawn(self._resume_by_itself())

    async def _resume_by_itself(self) -> None:
        async with self._lock:
            if not self.evening.ready_to_resume():
                return  # someone left again, or the host resumed it meanwhile
            try:
                await self._carry_out(self.evening.resume(self.host.now()))
            except CoreError:
                return
        self.host.announce(
            "evening_news", line=f"Two people are back: the evening goes on. {self.status_line()}"
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def leave(self, sid: str) -> bool:
        """The page's `leave` while not in a conversation (lobby, break): out of the schedule."""
        person = self._person.get(sid)
        if person is None or self.host.rooms.locate(sid) is not None:
            return False
        self.evening.leave(person)
        self.host.send("evening_status", {**self._status_for(person), "you": YOU_LEFT}, to=sid)
        self._forget_socket(sid)
        self._save()
        self._announce()
        return True

    def gone(self, sid: str) -> None:
        """A socket closed. In a conversation the slot is held (Rooms); elsewhere the person
        is out of the next round's plan until they come back with their secret."""
        person = self._person.get(sid)
        if person is None:
            return
        if self.host.rooms.locate(sid) is None and self._sid.get(person) == sid:
            self.evening.leave(person)
            self._forget_socket(sid)
            self._save()
            self._announce()

    def _forget_socket(self, sid: str) -> None:
        person = self._person.pop(sid, None)
        if person is not None and self._sid.get(person) == sid:
            del self._sid[person]

    def _on_event(self, event: Event) -> None:
        d = event.data
        if event.kind == ev.PEER_STATUS and d.get("state") == ev.CONNECTED:
            person = self._person.pop(d.get("old_sid", ""), None)
            if person is not None:  # the same person on a new socket (a reclaimed slot)
                self._sid[person], self._person[d["sid"]] = d["sid"], person
        elif event.kind == ev.LEFT and event.session_id in self._round_sessions:
            self._leaving[event.session_id] = d["sid"]
        elif event.kind == ev.ENDED and event.session_id in self._round_sessions:
            self._round_sessions.pop(event.session_id)
            gone = self._leaving.pop(event.session_id, None)
            person = self._person.get(gone or "")
            if d.get("reason") == PEER_DISCONNECTED and person is not None:
                # never came back within the grace: out of the plan until they join again
                self.evening.leave(person)
                self._forget_socket(gone or "")
            # one who ended the call (peer_left) stays in the evening, for the next round
            for sid in d.get("sids", []):
                person = self._person.get(sid)
                if person is not None and self.evening.state != ENDED:
                    self.host.send("evening_status", self._status_for(person), to=sid)
            self._announce()

    # -- the host's commands --------------------------------------------------------------
    async def command(self, name: str) -> str:
        """start | next | resume | end | status, as typed on standard input or clicked in the
        window. Returns one line of plain words (a refusal says why)."""
        name = name.strip().lower()
        if name not in COMMANDS:
            return f"Unknown command {name!r}: use {', '.join(COMMANDS)}."
        if name == "status":
            return self.status_line()
        async with self._lock:
            now = self.host.now()
            try:
                effects = getattr(self.evening, name)(now)
            except CoreError as exc:
                return exc.message
            await self._carry_out(effects)
        return self.status_line()

    def status(self) -> dict[str, Any]:
        s = self.evening.status(self.host.now())
        s.update(self.host.again.counts(), enabled=True, round_minutes=self.evening.round_seconds / 60)
        return s

    def status_line(self) -> str:
        s = self.status()
        if s["state"] == PAUSED:
            return (
                f"Evening paused after round {s['round']} of {s['rounds']}, waiting for people to "
                f"return: {s['people']} back, {s['mutual']} mutual matches kept. It goes on by itself "
                "when two who have not met are back, or now with resume."
            )
        where = {
            LOBBY: "in the lobby",
            ROUND: f"round {s['round']} of {s['rounds']}",
            BREAK: f"break after round {s['round']} of {s['rounds']}",
            ENDED: "over",
        }[s["state"]]
        left = "" if s["seconds_left"] is None else f", {round(s['seconds_left'])} s left"
        return (
            f"Evening {where}{left}: {s['people']} people, {s['conversations']} conversations, "
            f"{s['mutual']} mutual matches."
        )

    # -- time -----------------------------------------------------------------------------
    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None

    def _schedule(self) -> None:
        self._cancel()
        deadline = self.evening.next_deadline()
        if self._loop is None or deadline is None:
            return
        delay = max(0.0, (deadline - self.host.now()).total_seconds()) + LATE
        self._timer = self._loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._spawn(self._tick())

    async def _tick(self) -> None:
        async with self._lock:
            try:
                await self._carry_out(self.evening.tick(self.host.now()))
            except Exception:
                log.exception("the evening's timer failed")
            finally:
                self._schedule()

    # -- carrying out what the evening decided ----------------------------------------------
    async def _carry_out(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, RoundOpened):
                self._open(effect)
            elif isinstance(effect, PhaseDue | WrapUp):
                self._to_each_conversation(effect)
            elif isinstance(effect, RoundClosed):
                for session_id in list(self._round_sessions):
                    await self.host.end_session(session_id, ROUND_OVER)
            elif isinstance(effect, EveningEnded):
                self._finish()
        self._schedule()
        if self.evening.state != ENDED:
            self._save()
            self._tell_everyone()
        self._announce()

    def _to_each_conversation(self, effect: PhaseDue | WrapUp) -> None:
        """The round's phase, or its wrap-up line, in every conversation of the round."""
        now = self.host.now()
        for session_id in list(self._round_sessions):
            try:
                if isinstance(effect, PhaseDue):
                    session = self.host.rooms.get(session_id)
                    if session is not None and PHASES.index(session.phase) < PHASES.index(effect.phase):
                        self.host.rooms.talk.set_phase(session_id, effect.phase, now)  # forward only
                else:
                    self.host.rooms.talk.add_interjection(
                        session_id, wrap_up_line(effect.seconds_left), now, source="round"
                    )
            except CoreError:
                pass  # it ended a moment ago

    def _open(self, effect: RoundOpened) -> None:
        now = self.host.now()
        for a, b in effect.pairs:
            sa, sb = self._sid.get(a), self._sid.get(b)
            if sa is None or sb is None:
                continue  # one of them is not connected right now: both wait for the next round
            try:
                session = self.host.rooms.pair((sa, self._profiles[a]), (sb, self._profiles[b]), now)
            except CoreError as exc:
                log.warning("round %d: could not seat a pair (%s)", effect.number, exc.code)
                continue
            self._round_sessions[session.session_id] = (a, b)

    def _finish(self) -> None:
        for person, sid in list(self._sid.items()):
            body = {"rounds": self.evening.number, "matches": self.host.again.matches_of(person)}
            self.host.send("evening_ended", body, to=sid)
        self.file.unlink(missing_ok=True)

    def reset(self) -> None:
        """A reset wipes the evening: schedule, people, answers, the file."""
        self._cancel()
        old = self.evening
        self.evening = Evening(old.rounds, old.round_seconds, old.break_seconds)
        self._by_digest.clear()
        self._sid.clear()
        self._person.clear()
        self._names.clear()
        self._profiles.clear()
        self._round_sessions.clear()
        self._leaving.clear()
        self.file.unlink(missing_ok=True)
        self._announce()

    # -- what each page and the window are told ---------------------------------------------
    def _status_for(self, person: str) -> dict[str, Any]:
        s = self.evening.status(self.host.now())
        in_round = (
            self.evening.pair_of(person) is not None
            and self._sid.get(person) is not None
            and self.host.rooms.locate(self._sid[person]) is not None
        )
        state = s["state"]
        if state == PAUSED:
            state = BREAK  # to a page, a break with no clock: "paused" is the host's word
        if state == ROUND:
            you = (
                YOU_TALKING
                if in_round
                else (YOU_BREAK if self.evening.sitting_out == person else YOU_WAITING)
            )
        else:
            you = state
        return {
            "state": state,
            "round": s["round"],
            "rounds": s["rounds"],
            "seconds_left": s["seconds_left"],
            "you": you,
        }

    def _tell_everyone(self) -> None:
        for person, sid in list(self._sid.items()):
            self.host.send("evening_status", self._status_for(person), to=sid)

    def _announce(self) -> None:
        self.host.announce("evening", **self.status())

    # -- the file --------------------------------------------------------------------------
    def _save(self) -> None:
        if self.evening.state == ENDED:
            return
        data = {
            "evening": self.evening.to_dict(),
            "answers": self.host.again.answers.to_dict(),
            "people": dict(self._names),
            "secrets": dict(self._by_digest),  # digests only: the secret itself stays on the page
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
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("the evening's file could not be read; starting a new evening")
            self.file.unlink(missing_ok=True)
            return
        evening.after_crash()  # paused: everyone comes back by joining again, with their secret
        self.evening = evening
        self.host.again.answers = answers
        self._names = {str(k): str(v) for k, v in data.get("people", {}).items()}
        self._by_digest = {str(k): str(v) for k, v in data.get("secrets", {}).items()}
        log.info("an evening was restored from its file (round %d), %s", evening.number, evening.state)


async def switch(host: HostServer, rounds: int | None, round_minutes: float, break_seconds: float) -> None:
    """Turn an evening on (rounds) or off (None) while the host runs (the window's mode
    switch). Only between conversations: on, with nobody talking or in line; off, before the
    first round or after the last. CoreError, in plain words, otherwise."""
    current = host.evening
    if rounds is None:
        if current is None:
            return
        if current.evening.state not in (LOBBY, ENDED):
            raise CoreError("evening_running", "End the evening first: it is under way.")
        await current.stop()
        current.detach()
        host.services.remove(current)
        host.evening = None
        host.announce("evening", enabled=False)
        return
    if current is not None:
        if current.evening.state != LOBBY or current.evening.people:
            raise CoreError("evening_running", "The evening has people in it: end it first to change it.")
        await switch(host, None, round_minutes, break_seconds)
    elif host.rooms.sessions or host.rooms.line:
        raise CoreError(
            "conversations_live", "Conversations are going on: end them (or Reset) before an evening."
        )
    service = EveningService(host, rounds, round_minutes, break_seconds)
    host.evening = service
    host.services.append(service)
    if host.port is not None:  # running: start it now (otherwise it starts with the host)
        await service.start(host)
    service._announce()
