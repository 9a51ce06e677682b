"""The end-of-session summary, from the session snapshot alone: facts, and the offline text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heartlink_desktop.core.vocab import FACILITATOR_NAME, FACILITATOR_SPEAKER, PHASES, ROLES, phase_label
from heartlink_desktop.core.words import join_words, shared_interests, topic_words, words

QUESTIONS_SHOWN = 4


def phase_words(phase: str) -> str:
    """A phase as it reads inside a sentence: "deep dive"."""
    return phase_label(phase).lower()


@dataclass
class Facts:
    names: dict[str, str]
    lines: dict[str, int]
    words: dict[str, int]
    shared: list[str]
    topics: list[str]
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
    human: list[str] = []
    questions: list[str] = []
    ai_lines = 0
    for e in transcript:
        who, text = e.get("speaker"), e.get("text", "")
        if who in lines:
            lines[who] += 1
            count[who] += len(words(text))
            human.append(text)
        elif who == FACILITATOR_SPEAKER:
            ai_lines += 1
            if "?" in text:
                questions.append(text)
    current = snapshot.get("phase", PHASES[0])
    reached = PHASES.index(current) if current in PHASES else 0
    exclude = [w for n in names.values() for w in words(n)]
    return Facts(
        names=names,
        lines=lines,
        words=count,
        shared=shared_interests(_tags(profiles.get("A", {})), _tags(profiles.get("B", {}))),
        topics=topic_words(human, exclude, limit=6),
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


def offline_summary(snapshot: dict[str, Any]) -> str:
    """A plain-words summary: who spoke how much, shared interests, topics, questions, phases.

    Empty when nobody joined the first person: there was no conversation.
    """
    f = facts(snapshot)
    a, b = f.names["A"], f.names["B"]
    if not f.paired:
        return ""  # nobody joined: there was no conversation to sum up
    parts: list[str] = []
    length = f" over about {f.minutes} minute{'s' if f.minutes != 1 else ''}" if f.minutes else ""
    total = f.words["A"] + f.words["B"]
    if total == 0:
        parts.append(f"{a} and {b} met{length}; nothing they said was transcribed.")
    else:

        def said(role: str) -> str:
            n = f.lines[role]
            return f"{n} line{'s' if n != 1 else ''} ({f.words[role]} words)"

        share = round(100 * f.words["A"] / total)
        parts.append(f"{a} and {b} talked{length}: {a} said {said('A')}, {b} {said('B')}.")
        if share >= 65 or share <= 35:
            more, pct = (a, share) if share >= 65 else (b, 100 - share)
            parts.append(f"{more} did most of the talking (about {pct}%).")
        else:
            parts.append("They shared the talking fairly evenly.")
    if f.shared:
        parts.append(f"Shared interests: {join_words(f.shared)}.")
    else:
        parts.append("Their profiles listed no shared interests.")
    if f.topics:
        parts.append(f"Topics that came up: {join_words(f.topics)}.")
    if f.questions:
        shown = "; ".join(_quote(q) for q in f.questions[-QUESTIONS_SHOWN:])
        n = len(f.questions)
        parts.append(f"{FACILITATOR_NAME} asked {n} question{'s' if n != 1 else ''}: {shown}.")
    elif f.ai_lines:
        parts.append(f"{FACILITATOR_NAME} stepped in {f.ai_lines} time{'s' if f.ai_lines != 1 else ''}.")
    else:
        parts.append(f"{FACILITATOR_NAME} did not need to step in.")
    if f.phases:
        path = " → ".join(phase_words(p) for p in f.phases)
        parts.append(f"The conversation reached the {phase_words(f.phases[-1])} phase ({path}).")
    return " ".join(parts)
