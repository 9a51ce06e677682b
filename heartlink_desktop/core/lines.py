"""The facilitator's line choice: the deck lines, what a line may use of the pair (the
context), which line fits the moment, and filling its placeholders; pure. When to speak is
core/pacing.py."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

from heartlink_desktop.core.topics import RECENT, Topic, ranked
from heartlink_desktop.core.vocab import FIRST_TALKING_PHASE, PHASES, ROLES
from heartlink_desktop.core.words import shared_interests, words

SPICE_MOODS = {
    1: "light and casual",
    2: "friendly and engaging",
    3: "deep and meaningful",
    4: "bold and unfiltered",
}
MILD_SPICE = 2  # the most a line may be when it steps into an awkward moment
RECENT_LINES = 12  # human lines that feed {topic} and the LLM prompt

KINDS = ("question", "prompt", "rescue", "followup")
PLACEHOLDERS = ("name", "other", "interest", "shared", "topic")
TELLER, LISTENER = "teller", "listener"  # whom a follow-up asks: who said the thing, or the other
FOLLOWUP_TOPICS = 4  # the best topics a follow-up may be about


@dataclass(frozen=True)
class Line:
    """One line the facilitator may say: a deck question or a follow-up template, with its
    phase, spiciness, kind, what a follow-up asks about and whom it addresses. Loaded by
    agent/decks.py."""

    id: str
    text: str
    phase: str  # one of PHASES[1:], or "any"
    spice: int
    kind: str = "question"
    about: str = ""  # a follow-up: the kind of thing it asks about (core/topics.py), or "any"
    to: str = ""  # a follow-up: TELLER or LISTENER

    @property
    def needs(self) -> frozenset[str]:
        return placeholders(self.text)


@dataclass(frozen=True)
class Context:
    """What a line choice knows of a conversation: phase, spiciness, whom to address, their
    interests, what the pair shares and talked about lately. Made by the facilitator for
    `pick`."""

    phase: str
    spice: int
    name: str  # the partner the line addresses (the one who said less)
    other: str
    interests: tuple[str, ...] = ()  # the addressed partner's hobbies and interests
    shared: tuple[str, ...] = ()  # what both listed
    topics: tuple[str, ...] = ()  # what the pair talked about lately, best first
    mild: bool = False


@dataclass(frozen=True)
class Pick:
    """The chosen line, its text with the names filled in, and the topic a follow-up asks
    about."""

    line: Line
    text: str
    topic: str = ""  # the key of the topic a follow-up asks about


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
        pools = [
            [ln for ln in fresh if ln.kind == "rescue"],
            [ln for ln in fresh if ln.phase in here and ln.kind != "followup"],
        ]
    else:
        earlier = PHASES[: PHASES.index(ctx.phase)] if ctx.phase in PHASES else ()
        normal = [ln for ln in fresh if ln.kind not in ("rescue", "followup")]
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


def build_context(
    snapshot: dict[str, Any], *, spice: int, mild: bool, rng: random.Random, topics: tuple[str, ...] = ()
) -> Context:
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
    return Context(
        phase=snapshot.get("phase", FIRST_TALKING_PHASE),
        spice=spice,
        name=names[addressed],
        other=names[other],
        interests=tuple(_tags(profiles.get(addressed, {}))),
        shared=tuple(shared_interests(_tags(a), _tags(b))),
        topics=topics,
        mild=mild,
    )


def render(topic: Topic, to_teller: bool, teller: str) -> str:
    """The topic as a question names it: "your beagle" to its owner, "Ben's beagle" to the other."""
    if topic.article in ("my", "our"):
        return f"your {topic.text}" if to_teller else f"{teller}'s {topic.text}"
    if topic.article in ("a", "an", "the"):
        return f"the {topic.text}"
    return topic.text


def choose_followup(
    lines: list[Line],
    ctx: Context,
    all_topics: list[Topic],
    names: dict[str, str],
    *,
    latest: int,
    last: frozenset[str],
    asked: set[str],
    used: set[str],
    rng: random.Random,
) -> Pick | None:
    """A question about something this pair said, to the one who said it or to the other.

    Never on a topic someone would rather not talk about, never on the topic of the line before
    (`last`), topics not asked about yet first; templates fitted to the kind of thing, the phase
    and the spiciness, never one said before in the session."""
    here = (ctx.phase, "any")
    templates = [
        ln
        for ln in lines
        if ln.kind == "followup" and ln.id not in used and ln.spice <= ctx.spice and ln.phase in here
    ]
    if not templates:
        return None
    fresh = [t for t in ranked(all_topics, latest) if t.key not in last and latest - t.last < 2 * RECENT]
    fresh.sort(key=lambda t: t.key in asked)  # stable: the best unasked first
    for topic in fresh[:FOLLOWUP_TOPICS]:
        fitting = [ln for ln in templates if ln.about in (topic.kind, "any")]
        if not fitting:
            continue
        line = rng.choices(
            fitting, weights=[(3.0 if ln.spice == ctx.spice else 1.0) + (ln.about != "any") for ln in fitting]
        )[0]
        teller = topic.by
        listener = "B" if teller == "A" else "A"
        addressed = teller if line.to != LISTENER else listener
        other = listener if addressed == teller else teller
        values = {
            "name": names.get(addressed, "you"),
            "other": names.get(other, "you"),
            "topic": render(topic, addressed == teller, names.get(teller, "")),
            "interest": "",
            "shared": "",
        }
        return Pick(line, line.text.format_map(values), topic.key)
    return None


def offline_line(
    lines: list[Line],
    ctx: Context,
    all_topics: list[Topic],
    names: dict[str, str],
    *,
    latest: int,
    last: frozenset[str],
    asked: set[str],
    used: set[str],
    rng: random.Random,
) -> Pick | None:
    """The offline decision: a follow-up on something the pair said when there is one to ask
    (not in an awkward moment: that gets a gentle rescue line), else a deck line."""
    if not ctx.mild and all_topics:
        pick = choose_followup(
            lines, ctx, all_topics, names, latest=latest, last=last, asked=asked, used=used, rng=rng
        )
        if pick is not None:
            return pick
    return choose_line(lines, ctx, used, rng)
