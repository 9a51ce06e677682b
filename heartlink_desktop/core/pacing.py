"""The facilitator's pacing: when to speak and why, and when the phase moves on; pure.
Which line it says is core/lines.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from heartlink_desktop.core.vocab import DECISION, DEEP_DIVE, ICEBREAKER, PHASES

# A speaking flag with no news for this long is treated as stale (a page that vanished mid-word).
SPEAKING_STALE_SECONDS = 120.0

# Why the facilitator speaks.
LULL, ASKED, AWKWARD, TURNS, HOST = "lull", "asked", "awkward", "turns", "host"


@dataclass(frozen=True)
class Timing:
    """When the facilitator may speak: the silence that makes a lull, its cooldown, how many
    human lines in a row before it steps in (from the host's settings)."""

    silence: float = 8.0  # seconds with no line and no speech before a lull counts
    cooldown: float = 15.0  # seconds after its own line during which it stays quiet
    turns_without_ai: int = 12  # human lines in a row after which it steps in


@dataclass(frozen=True)
class PhaseRule:
    """Leave a phase after `min_seconds` once `min_turns` lines were said in it, or at `max_seconds`."""

    next: str
    min_seconds: float
    min_turns: int
    max_seconds: float


PHASE_RULES: dict[str, PhaseRule] = {
    ICEBREAKER: PhaseRule(DEEP_DIVE, min_seconds=240, min_turns=10, max_seconds=480),
    DEEP_DIVE: PhaseRule(DECISION, min_seconds=600, min_turns=20, max_seconds=1200),
}

_AWKWARD = re.compile(
    r"\b(awkward|uncomfortable|weird silence|so quiet|nothing to say|don't know what to say|"
    r"dunno what to say|change the subject|save us|rescue us|help us|help me out|someone help)\b",
    re.IGNORECASE,
)
_HELP = re.compile(r"\bhelp\b", re.IGNORECASE)
_ADDRESS = re.compile(r"\b(heartlink|janitor|hey host|ok host|facilitator|hey ai|the ai)\b", re.IGNORECASE)
_ASK = re.compile(
    r"(\?|\b(ask us|give us|a question|another question|what should we|any ideas|say something|"
    r"topic|suggest)\b)",
    re.IGNORECASE,
)


def classify_request(text: str) -> str | None:
    """AWKWARD for a call for help, ASKED for a question put to the host, else None."""
    addressed = _ADDRESS.search(text) is not None
    if _AWKWARD.search(text) or (addressed and _HELP.search(text)):
        return AWKWARD
    if addressed and _ASK.search(text):
        return ASKED
    if re.search(r"\b(what should we talk about|ask us (a|another|something))\b", text, re.IGNORECASE):
        return ASKED
    return None


@dataclass(frozen=True)
class Decision:
    """That the facilitator should speak now, and why (a lull, a request, a long run of lines,
    an awkward moment)."""

    reason: str
    at: datetime

    @property
    def mild(self) -> bool:
        return self.reason == AWKWARD


class Conversation:
    """What the facilitator knows about one session's rhythm; every method takes `now`."""

    def __init__(self, now: datetime, *, phase: str = PHASES[0], active: bool = False) -> None:
        self.active = active
        self.closing = False  # the session is being summarised: it is about to end
        self.phase = phase
        self.phase_started = now
        self.phase_turns = 0
        self.quiet_since = now  # last human activity or AI line
        self.last_ai: datetime | None = None
        self.human_since_ai = True
        self.turns_since_ai = 0
        self.speaking: dict[str, datetime] = {}  # role -> last speaking news
        self.request: str | None = None  # ASKED or AWKWARD, from the pair's own words
        self.host_request = False
        self.pending: Decision | None = None  # a line is being written
        self.used: set[str] = set()  # deck line ids already said
        self.asked: set[str] = set()  # keys of the topics its lines named (core/topics.py)
        self.last_topics: frozenset[str] = frozenset()  # what its latest line named: not again next

    def said(self, line_id: str | None, topic_keys: frozenset[str]) -> None:
        """Its line went out: the deck line is used up, its topics are not asked again next."""
        if line_id:
            self.used.add(line_id)
        self.asked |= topic_keys
        self.last_topics = topic_keys

    # -- what happened --------------------------------------------------------------------
    def set_active(self, active: bool, now: datetime) -> None:
        if active and not self.active:
            self.quiet_since = now
        self.active = active

    def on_line(self, role: str, text: str, now: datetime) -> None:
        self.quiet_since = now
        self.human_since_ai = True
        self.turns_since_ai += 1
        self.phase_turns += 1
        request = classify_request(text)
        if request is not None and self.request != AWKWARD:
            self.request = request

    def on_audio(self, role: str, speaking: bool, now: datetime) -> None:
        self.quiet_since = now
        if speaking:
            self.speaking[role] = now
            self.human_since_ai = True
        else:
            self.speaking.pop(role, None)

    def on_ai(self, now: datetime) -> None:
        self.last_ai = now
        self.quiet_since = now
        self.human_since_ai = False
        self.turns_since_ai = 0
        self.request = None
        self.host_request = False

    def on_nothing(self, now: datetime) -> None:
        """It had nothing (new) to say: forget the triggers, wait for another lull to try again."""
        self.quiet_since = now
        self.turns_since_ai = 0
        self.request = None
        self.host_request = False

    def on_phase(self, phase: str, now: datetime) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phase_started = now
            self.phase_turns = 0

    # -- what to do -----------------------------------------------------------------------
    def is_speaking(self, now: datetime) -> bool:
        stale = timedelta(seconds=SPEAKING_STALE_SECONDS)
        return any(now - since < stale for since in self.speaking.values())

    def can_speak(self, now: datetime) -> bool:
        return self.active and not self.closing and not self.is_speaking(now)

    def decide(self, now: datetime, timing: Timing) -> Decision | None:
        """Speak now, and why; or None. The host's own request skips cooldown and turn-taking."""
        if self.pending is not None or not self.can_speak(now):
            return None
        if self.host_request:
            return Decision(HOST, now)
        if self.last_ai is not None:
            if (now - self.last_ai).total_seconds() < timing.cooldown or not self.human_since_ai:
                return None
        if self.request is not None:
            return Decision(self.request, now)
        if self.turns_since_ai >= timing.turns_without_ai:
            return Decision(TURNS, now)
        if (now - self.quiet_since).total_seconds() >= timing.silence:
            return Decision(LULL, now)
        return None

    def begin(self, decision: Decision) -> None:
        self.pending = decision

    def done(self) -> None:
        self.pending = None

    def still_fits(self, decision: Decision, now: datetime) -> bool:
        """A line written for `decision` may still go out: nobody speaks, the lull was not broken."""
        if not self.can_speak(now):
            return False
        return decision.reason != LULL or self.quiet_since <= decision.at

    def phase_due_at(self) -> datetime | None:
        rule = PHASE_RULES.get(self.phase)
        if rule is None or not self.active or self.closing:
            return None
        wait = rule.min_seconds if self.phase_turns >= rule.min_turns else rule.max_seconds
        return self.phase_started + timedelta(seconds=wait)

    def next_phase(self, now: datetime) -> str | None:
        due = self.phase_due_at()
        return PHASE_RULES[self.phase].next if due is not None and now >= due else None

    def wake_at(self, now: datetime, timing: Timing) -> datetime | None:
        """The earliest time `decide` or `next_phase` may answer differently with no new events."""
        times = [t for t in (self.phase_due_at(),) if t is not None]
        if self.active and not self.closing and self.pending is None:
            stale = timedelta(seconds=SPEAKING_STALE_SECONDS)
            live = [since + stale for since in self.speaking.values() if now - since < stale]
            if live:
                times.append(max(live))
            elif self.host_request:
                times.append(now)
            elif self.last_ai is None or self.human_since_ai:
                due = (
                    now
                    if self.request or self.turns_since_ai >= timing.turns_without_ai
                    else (self.quiet_since + timedelta(seconds=timing.silence))
                )
                if self.last_ai is not None:
                    due = max(due, self.last_ai + timedelta(seconds=timing.cooldown))
                times.append(due)
        return min(times) if times else None
