"""The facilitator's line choice: the deck lines, what a line may use of the pair (the
context), which line fits the moment, and filling its placeholders; pure. When to speak is
core/pacing.py."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

from heartlink_desktop.core.vocab import PHASES, ROLES
from heartlink_desktop.core.words import shared_interests, topic_words, words

SPICE_MOODS = {
    1: "light and casual",
    2: "friendly and engaging",
    3: "deep and meaningful",
    4: "bold and unfiltered",
}
MILD_SPICE = 2  # the most a line may be when it steps into an awkward moment
RECENT_LINES = 12  # human lines that feed {topic} and the LLM prompt

KINDS = ("question", "prompt", "rescue")
PLACEHOLDERS = ("name", "other", "interest", "shared", "topic")


@dataclass(frozen=True)
class Line:
    id: str
    text: str
    phase: str  # one of PHASES[1:], or "any"
    spice: int
    kind: str = "question"

    @property
    def needs(self) -> frozenset[str]:
        return placeholders(self.text)


@dataclass(frozen=True)
class Context:
    phase: str
    spice: int
    name: str  # the partner the line addresses (the one who said less)
    other: str
    interests: tuple[str, ...] = ()  # the addressed partner's hobbies and interests
    shared: tuple[str, ...] = ()  # what both listed
    topics: tuple[str, ...] = ()  # words the recent talk keeps coming back to
    mild: bool = False


@dataclass(frozen=True)
class Pick:
    line: Line
    text: str


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a template uses; ValueError if its braces are malformed."""
    return frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)


def _fillable(line: Line, ctx: Context) -> bool:
    needs = line.needs
    return not (
        ("interest" in needs and not ctx.interests)
        or ("shared" in needs and not ctx.shared)
        or ("topic" in needs and not ctx.topics)
    )


def _weight(line: Line, ctx: Context) -> float:
    weight = 1.0
    if line.spice == ctx.spice:
        weight += 3.0  # at the session's own heat, lower ones still possible
    needs = line.needs
    if "shared" in needs:
        weight += 3.0  # a line built on what they share fits them best
    if "topic" in needs or "interest" in needs:
        weight += 2.0
    return weight


def choose_line(lines: list[Line], ctx: Context, used: set[str], rng: random.Random) -> Pick | None:
    """A line never said in this session, at most the session's spice, fitted to the pair."""
    limit = min(ctx.spice, MILD_SPICE) if ctx.mild else ctx.spice
    fresh = [ln for ln in lines if ln.id not in used and ln.spice <= limit and _fillable(ln, ctx)]
    here = (ctx.phase, "any")
    if ctx.mild:
        pools = [[ln for ln in fresh if ln.kind == "rescue"], [ln for ln in fresh if ln.phase in here]]
    else:
        earlier = PHASES[: PHASES.index(ctx.phase)] if ctx.phase in PHASES else ()
        normal = [ln for ln in fresh if ln.kind != "rescue"]
        pools = [[ln for ln in normal if ln.phase in here], [ln for ln in normal if ln.phase in earlier]]
    for pool in pools:
        if pool:
            line = rng.choices(pool, weights=[_weight(ln, ctx) for ln in pool])[0]
            return Pick(line, fill(line, ctx, rng))
    return None


def fill(line: Line, ctx: Context, rng: random.Random) -> str:
    values = {
        "name": ctx.name,
        "other": ctx.other,
        "interest": rng.choice(ctx.interests) if ctx.interests else "",
        "shared": rng.choice(ctx.shared) if ctx.shared else "",
        "topic": ctx.topics[0] if ctx.topics else "",
    }
    return line.text.format_map(values)


def _tags(profile: dict[str, Any]) -> list[str]:
    tags = list(profile.get("hobbies") or []) + list(profile.get("interests") or [])
    seen: list[str] = []
    for t in tags:
        if t.lower() not in (s.lower() for s in seen):
            seen.append(t)
    return seen


def recent_lines(snapshot: dict[str, Any], count: int = RECENT_LINES) -> list[dict[str, Any]]:
    """The last `count` human lines of the transcript."""
    human = [e for e in snapshot.get("transcript", []) if e.get("speaker") in ROLES]
    return human[-count:]


def build_context(snapshot: dict[str, Any], *, spice: int, mild: bool, rng: random.Random) -> Context:
    """Who to address and what to build on, from a session snapshot (the session file's shape)."""
    profiles = snapshot.get("participant_profiles", {})
    a, b = profiles.get("A", {}), profiles.get("B", {})
    names = {"A": a.get("name", "you"), "B": b.get("name", "you")}
    recent = recent_lines(snapshot)
    said = {"A": 0, "B": 0}
    for e in recent:
        said[e["speaker"]] += len(words(e.get("text", "")))
    if said["A"] == said["B"]:
        addressed = rng.choice(ROLES)
    else:
        addressed = "A" if said["A"] < said["B"] else "B"
    other = "B" if addressed == "A" else "A"
    exclude = [n for name in names.values() for n in words(name)]
    return Context(
        phase=snapshot.get("phase", "icebreaker"),
        spice=spice,
        name=names[addressed],
        other=names[other],
        interests=tuple(_tags(profiles.get(addressed, {}))),
        shared=tuple(shared_interests(_tags(a), _tags(b))),
        topics=tuple(topic_words([e.get("text", "") for e in recent], exclude)),
        mild=mild,
    )
