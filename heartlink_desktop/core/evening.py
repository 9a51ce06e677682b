"""An evening of rounds: a lobby, timed rounds with new partners, breaks, and the end; pure.

The host says `start`, `next` and `end` (from the window or standard input); time passes in
through `tick(now)`. Each call returns the effects the server carries out, in order: open the
round's conversations, say the wrap-up line, close the round (each conversation then asks its
private "again?"), show the break, end the evening. People are opaque ids (the server keeps
one per person across reconnects). Who met whom lives in the schedule's `History`, so a
crash loses nothing but the round in progress (`to_dict` / `from_dict`).

After a crash the evening comes back `paused` (`after_crash`): nobody is present until they
come back, no timer runs, and nothing ends it for want of pairs. It goes on with `resume`
(the host's word, or the server's when `ready_to_resume` says two people who have not met
are back) at the next round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.schedule import History, Pair, pair_key, plan_round
from heartlink_desktop.core.vocab import (
    BREAK,
    DECISION,
    DEEP_DIVE,
    ICEBREAKER,
    LOBBY,
    PAUSED,
    ROUND,
    YOU_BREAK,
    YOU_TALKING,
    YOU_WAITING,
)
from heartlink_desktop.core.vocab import EVENING_OVER as ENDED

BREAK_SECONDS = 30.0
WRAP_UP_SECONDS = 30.0  # before a round's end, the facilitator's closing line
# The facilitator's phases fitted to a round: the share of the round at which each begins.
ROUND_PHASES = ((ICEBREAKER, 0.0), (DEEP_DIVE, 0.35), (DECISION, 0.8))


@dataclass(frozen=True)
class RoundOpened:
    number: int
    pairs: tuple[Pair, ...]
    sitting_out: str | None
    ends_at: datetime


@dataclass(frozen=True)
class PhaseDue:
    number: int
    phase: str


@dataclass(frozen=True)
class WrapUp:
    number: int
    seconds_left: float


@dataclass(frozen=True)
class RoundClosed:
    number: int
    pairs: tuple[Pair, ...]
    next_at: datetime | None  # when the next round opens (None: this was the last)


@dataclass(frozen=True)
class EveningEnded:
    rounds: int


Effect = RoundOpened | PhaseDue | WrapUp | RoundClosed | EveningEnded


def phase_at(elapsed: float, length: float) -> str:
    share = elapsed / length if length > 0 else 1.0
    current = ROUND_PHASES[0][0]
    for phase, start in ROUND_PHASES:
        if share >= start:
            current = phase
    return current


@dataclass
class Evening:
    rounds: int
    round_seconds: float
    break_seconds: float = BREAK_SECONDS
    state: str = LOBBY
    number: int = 0  # the current (or last) round, 1-based; 0 before the first
    people: dict[str, str] = field(default_factory=dict)  # person -> name, in joining order
    history: History = field(default_factory=History)
    pairs: tuple[Pair, ...] = ()
    sitting_out: str | None = None
    breaks: tuple[str, ...] = ()  # everyone with a break this round (sitting_out is the first)
    started_at: datetime | None = None  # the current round's start
    ends_at: datetime | None = None  # the current round's end, or the break's
    phase: str | None = None
    wrapped_up: bool = False
    # Who may meet whom (their profiles under the host's mode, never a reported pair): the
    # server sets it; None, everyone. Not part of the file: it is set again after a crash.
    may_meet: Callable[[str, str], bool] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise ValueError("an evening has at least one round")
        if self.round_seconds <= 0:
            raise ValueError("a round lasts some time")

    # -- people -------------------------------------------------------------------------
    def join(self, person: str, name: str) -> str:
        """Someone arrives (or comes back): they wait in the lobby for the next round."""
        if self.state == ENDED:
            raise CoreError("evening_ended", "The evening is over. Thank you for coming!")
        self.people[person] = name
        return self.state

    def leave(self, person: str) -> Pair | None:
        """Someone left for good: out of the schedule. Returns the pair they leave, if any."""
        self.people.pop(person, None)
        if self.sitting_out == person:
            self.sitting_out = None
        self.breaks = tuple(p for p in self.breaks if p != person)
        pair = self.pair_of(person)
        if pair is not None and self.state == ROUND:
            self.pairs = tuple(p for p in self.pairs if p != pair)
        return pair

    def pair_of(self, person: str) -> Pair | None:
        return next((p for p in self.pairs if person in p), None)

    def partner_of(self, person: str) -> str | None:
        pair = self.pair_of(person)
        return None if pair is None else (pair[1] if pair[0] == person else pair[0])

    # -- the host's commands ------------------------------------------------------------
    def start(self, now: datetime) -> list[Effect]:
        if self.state != LOBBY:
            raise CoreError("already_started", "The evening has already started.")
        if len(self.people) < 2:
            raise CoreError("too_few_people", "At least two people must be here to start the evening.")
        return self._open(now)

    def next(self, now: datetime) -> list[Effect]:
        """End the round now (its break follows), or in a break start the next round at once;
        paused, the same as `resume`."""
        if self.state == PAUSED:
            return self.resume(now)
        if self.state == LOBBY:
            raise CoreError("not_started", "The evening has not started yet: start it first.")
        if self.state == ENDED:
            raise CoreError("evening_ended", "The evening is over.")
        if self.state == ROUND:
            return self._close(now)
        return self._open(now)

    # -- after a crash ---------------------------------------------------------------------
    def after_crash(self) -> None:
        """The evening as read back from its file after a crash: its conversations died with
        the host and everyone must come back, so it waits (paused) with nobody present; in the
        lobby it simply stays in the lobby."""
        self.people = {}
        if self.state in (ROUND, BREAK):
            self.state = PAUSED
        if self.state == PAUSED:
            self.pairs, self.sitting_out, self.breaks, self.phase = (), None, (), None
            self.started_at = self.ends_at = None
            self.wrapped_up = False

    def ready_to_resume(self) -> bool:
        """Paused, with rounds still to hold, and two people back who have not met yet."""
        if self.state != PAUSED or self.number >= self.rounds:
            return False
        people = list(self.people)
        return any(
            pair_key(a, b) not in self.history.met for i, a in enumerate(people) for b in people[i + 1 :]
        )

    def resume(self, now: datetime) -> list[Effect]:
        """Go on after a crash: the next round opens with whoever is back (after the last
        round, the evening ends and each is given their matches). Refused while fewer than
        two are back, so a restored evening never ends for want of pairs."""
        if self.state != PAUSED:
            raise CoreError("not_paused", "The evening is not waiting for anyone: it is running.")
        if self.number >= self.rounds:
            self.state = ENDED
            return [EveningEnded(self.number)]
        if len(self.people) < 2 or not plan_round(list(self.people), self.history, self.may_meet).pairs:
            raise CoreError(
                "too_few_people",
                f"{len(self.people)} of the evening's people are back: it goes on when two are.",
            )
        return self._open(now)

    def end(self, now: datetime) -> list[Effect]:
        if self.state == ENDED:
            raise CoreError("evening_ended", "The evening is already over.")
        effects: list[Effect] = []
        if self.state == ROUND:
            effects += self._close(now, last=True)
        self.state = ENDED
        self.ends_at = None
        effects.append(EveningEnded(self.number))
        return effects

    # -- time -----------------------------------------------------------------------------
    def next_deadline(self) -> datetime | None:
        """When `tick` has something to do, if nothing else happens before."""
        if self.state == ROUND and self.started_at is not None and self.ends_at is not None:
            times = [self.ends_at]
            if not self.wrapped_up:
                times.append(self.ends_at - timedelta(seconds=min(WRAP_UP_SECONDS, self.round_seconds / 4)))
            length = self.round_seconds
            for phase, start in ROUND_PHASES:
                at = self.started_at + timedelta(seconds=start * length)
                if at > self.started_at and self._phase_index(phase) > self._phase_index(self.phase):
                    times.append(at)
            return min(times)
        if self.state == BREAK:
            return self.ends_at
        return None

    @staticmethod
    def _phase_index(phase: str | None) -> int:
        names = [p for p, _ in ROUND_PHASES]
        return names.index(phase) if phase in names else -1

    def tick(self, now: datetime) -> list[Effect]:
        effects: list[Effect] = []
        if self.state == ROUND and self.started_at is not None and self.ends_at is not None:
            phase = phase_at((now - self.started_at).total_seconds(), self.round_seconds)
            if phase != self.phase and now < self.ends_at:
                self.phase = phase
                effects.append(PhaseDue(self.number, phase))
            left = (self.ends_at - now).total_seconds()
            if not self.wrapped_up and 0 < left <= min(WRAP_UP_SECONDS, self.round_seconds / 4):
                self.wrapped_up = True
                effects.append(WrapUp(self.number, left))
            if now >= self.ends_at:
                effects += self._close(now)
        elif self.state == BREAK and self.ends_at is not None and now >= self.ends_at:
            effects += self._open(now)
        return effects

    # -- rounds -----------------------------------------------------------------------------
    def _open(self, now: datetime) -> list[Effect]:
        if self.number >= self.rounds:
            self.state = ENDED
            return [EveningEnded(self.number)]
        plan = plan_round(list(self.people), self.history, self.may_meet)
        if not plan.pairs:  # nobody left who may meet: nothing to hold
            self.state = ENDED
            return [EveningEnded(self.number)]
        self.history.record(plan)
        self.number += 1
        self.state = ROUND
        self.pairs, self.sitting_out, self.breaks = plan.pairs, plan.sitting_out, plan.breaks
        self.started_at = now
        self.ends_at = now + timedelta(seconds=self.round_seconds)
        self.phase = ROUND_PHASES[0][0]
        self.wrapped_up = False
        return [
            RoundOpened(self.number, self.pairs, self.sitting_out, self.ends_at),
            PhaseDue(self.number, self.phase),
        ]

    def _close(self, now: datetime, *, last: bool = False) -> list[Effect]:
        pairs = self.pairs
        self.pairs, self.sitting_out, self.breaks, self.phase = (), None, (), None
        if last or self.number >= self.rounds:
            self.state = ENDED
            self.ends_at = None
            return [RoundClosed(self.number, pairs, None), EveningEnded(self.number)]
        self.state = BREAK
        self.ends_at = now + timedelta(seconds=self.break_seconds)
        return [RoundClosed(self.number, pairs, self.ends_at)]

    # -- what the host sees, and what survives a crash -------------------------------------
    def status(self, now: datetime) -> dict[str, Any]:
        left = None if self.ends_at is None else max(0.0, (self.ends_at - now).total_seconds())
        return {
            "state": self.state,
            "round": self.number,
            "rounds": self.rounds,
            "people": len(self.people),
            "conversations": len(self.pairs),
            "seconds_left": left,
            "met_pairs": len(self.history.met),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "round_seconds": self.round_seconds,
            "break_seconds": self.break_seconds,
            "state": self.state,
            "number": self.number,
            "people": dict(self.people),
            "history": self.history.to_dict(),
            "pairs": [list(p) for p in self.pairs],
            "sitting_out": self.sitting_out,
            "breaks": list(self.breaks),
            "started_at": None if self.started_at is None else self.started_at.isoformat(),
            "ends_at": None if self.ends_at is None else self.ends_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evening:
        def when(value: Any) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value)

        evening = cls(int(data["rounds"]), float(data["round_seconds"]), float(data["break_seconds"]))
        evening.state = str(data["state"])
        evening.number = int(data["number"])
        evening.people = {str(k): str(v) for k, v in data["people"].items()}
        evening.history = History.from_dict(data["history"])
        evening.pairs = tuple((str(a), str(b)) for a, b in data["pairs"])
        evening.sitting_out = data.get("sitting_out")
        evening.breaks = tuple(
            str(p) for p in data.get("breaks", [evening.sitting_out] if evening.sitting_out else [])
        )
        evening.started_at, evening.ends_at = when(data.get("started_at")), when(data.get("ends_at"))
        if evening.state == ROUND and evening.started_at is not None:
            evening.phase = None  # the next tick says the phase again
        return evening


def status_line(s: dict[str, Any]) -> str:
    """The evening's status (as `Evening.status` gives it, with the "again?" counts) in one
    line of plain words, for standard input and the host's news."""
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


def page_status(s: dict[str, Any], *, talking: bool, sitting_out: bool) -> dict[str, Any]:
    """What `evening_status` tells one person: the evening's state ("paused" is the host's
    word: to a page it is a break with no clock) and `you`, their own part in it."""
    state = BREAK if s["state"] == PAUSED else s["state"]
    if state == ROUND:
        you = YOU_TALKING if talking else (YOU_BREAK if sitting_out else YOU_WAITING)
    else:
        you = state
    return {
        "state": state,
        "round": s["round"],
        "rounds": s["rounds"],
        "seconds_left": s["seconds_left"],
        "you": you,
    }


def wrap_up_line(seconds: float) -> str:
    return (
        f"About {round(seconds)} seconds left in this round. "
        "What is one thing you'd like to remember about each other?"
    )
