"""The end-of-session summary: facts of the session, and the offline text from its topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heartlink_desktop.core.topics import Topic, ranked
from heartlink_desktop.core.vocab import FACILITATOR_NAME, FACILITATOR_SPEAKER, PHASES, ROLES, phase_label
from heartlink_desktop.core.words import content_words, join_words, shared_interests, words

SHARED_SHOWN = 3  # topics both talked about, named in the summary
OWN_SHOWN = 3  # topics one person brought up and the other did not pick up, per person


def phase_words(phase: str) -> str:
    """A phase as it reads inside a sentence: "deep dive"."""
    return phase_label(phase).lower()


@dataclass
class Facts:
    names: dict[str, str]
    lines: dict[str, int]
    words: dict[str, int]
    shared: list[str]
    questions: list[str]  # what the facilitator asked
    ai_lines: int
    phases: list[str]  # the phases the conversation went through, in order
    minutes: int = 0
    paired: bool = True


def _tags(profile: dict[str, Any]) -> list[str]:
    return list(profile.get("hobbies") or []) + list(profile.get("interests") or [])


def _minutes(snapshot: dict[str, Any]) -> int:
    try:
        start = datetime.fromisoformat(snapshot["created_at"])
        end = datetime.fromisoformat(snapshot.get("ended_at") or snapshot["last_activity"])
    except (KeyError, TypeError, ValueError):
        return 0
    return max(0, round((end - start).total_seconds() / 60))


def facts(snapshot: dict[str, Any]) -> Facts:
    profiles = snapshot.get("participant_profiles", {})
    names = {r: profiles.get(r, {}).get("name", r) for r in ROLES}
    transcript = snapshot.get("transcript", [])
    lines = {"A": 0, "B": 0}
    count = {"A": 0, "B": 0}
    questions: list[str] = []
    ai_lines = 0
    for e in transcript:
        who, text = e.get("speaker"), e.get("text", "")
        if who in lines:
            lines[who] += 1
            count[who] += len(words(text))
        elif who == FACILITATOR_SPEAKER:
            ai_lines += 1
            if "?" in text:
                questions.append(text)
    current = snapshot.get("phase", PHASES[0])
    reached = PHASES.index(current) if current in PHASES else 0
    return Facts(
        names=names,
        lines=lines,
        words=count,
        shared=shared_interests(_tags(profiles.get("A", {})), _tags(profiles.get("B", {}))),
        questions=questions,
        ai_lines=ai_lines,
        phases=list(PHASES[1 : reached + 1]),
        minutes=_minutes(snapshot),
        paired="B" in profiles,
    )


def _quote(text: str, limit: int = 120) -> str:
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _taken_up(snapshot: dict[str, Any], names: dict[str, str]) -> tuple[str, str] | None:
    """The facilitator's question the pair took furthest: who answered it, and the question.

    An answer is the next human line; it counts when it shares a content word with the question
    or runs to a dozen words. The longest answer wins."""
    transcript = snapshot.get("transcript", [])
    exclude = [w for n in names.values() for w in words(n)]
    best: tuple[int, str, str] | None = None
    for i, e in enumerate(transcript):
        if e.get("speaker") != FACILITATOR_SPEAKER or "?" not in str(e.get("text", "")):
            continue
        answer = next((x for x in transcript[i + 1 :] if x.get("speaker") in ROLES), None)
        if answer is None:
            continue
        said = str(answer.get("text", ""))
        overlap = set(content_words(str(e["text"]), exclude)) & set(content_words(said, exclude))
        size = len(words(said))
        if (overlap or size >= 12) and (best is None or size > best[0]):
            best = (size, str(answer["speaker"]), str(e["text"]))
    return None if best is None else (best[1], best[2])


def _facts_line(f: Facts) -> str:
    """Length and balance, in one line: how long, and who talked more if one clearly did."""
    total = f.words["A"] + f.words["B"]
    lines = f.lines["A"] + f.lines["B"]
    bits = [f"about {f.minutes} minute{'s' if f.minutes != 1 else ''}"] if f.minutes else []
    bits.append(f"{lines} line{'s' if lines != 1 else ''}")
    share = round(100 * f.words["A"] / total) if total else 50
    if share >= 65 or share <= 35:
        more, pct = (f.names["A"], share) if share >= 65 else (f.names["B"], 100 - share)
        balance = f"{more} did most of the talking ({pct}% of the words)"
    else:
        balance = "the talking was shared evenly"
    return f"{', '.join(bits).capitalize()}; {balance}."


def offline_summary(snapshot: dict[str, Any], heard: list[Topic] | None = None) -> str:
    """A few sentences of what the pair talked about, in their words (core/topics.py): what
    they had in common, what each brought up, the question of the facilitator they took up;
    then one line of facts. Each topic is named once; nothing that was not said.

    Empty when nobody joined the first person: there was no conversation."""
    f = facts(snapshot)
    if not f.paired:
        return ""  # nobody joined: there was no conversation to sum up
    a, b = f.names["A"], f.names["B"]
    if f.words["A"] + f.words["B"] == 0:
        length = f" for about {f.minutes} minute{'s' if f.minutes != 1 else ''}" if f.minutes else ""
        return f"{a} and {b} met{length}; nothing they said was transcribed."
    latest = f.lines["A"] + f.lines["B"] - 1
    best = ranked(heard or [], latest)
    parts: list[str] = []
    common = [t for t in best if t.picked_up][:SHARED_SHOWN]
    if common:
        parts.append(f"{a} and {b} both talked about {join_words(t.text for t in common)}.")
    for role, verb in (("A", "told {other} about"), ("B", "brought up")):
        own = [t for t in best if t.by == role and t not in common][:OWN_SHOWN]
        if own:
            other = b if role == "A" else a
            also = " also" if common else ""
            parts.append(
                f"{f.names[role]}{also} {verb.format(other=other)} {join_words(t.text for t in own)}."
            )
    if not parts:
        parts.append(f"{a} and {b} talked, without settling on a topic.")
    taken = _taken_up(snapshot, f.names)
    if taken is not None:
        parts.append(f"{f.names[taken[0]]} took up {FACILITATOR_NAME}'s question {_quote(taken[1])}.")
    parts.append(_facts_line(f))
    return " ".join(parts)
