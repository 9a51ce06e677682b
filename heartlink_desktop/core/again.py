"""The private "talk again?" at the end of a conversation: answers, and mutual matches only.

Pure. Each ended conversation opens a question for its two people. An answer is yes or no,
with a yes optionally carrying a contact to share. Only when both said yes does each learn
the other's contact (`Reveal`); a no, or no answer yet, tells the other nothing at all: the
one who asked sees exactly what they would see while waiting for a yes. The host learns
counts only. Contacts stay in memory: `to_dict()`, what may be written to disk, leaves them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from heartlink_desktop.core.errors import CoreError

CONTACT_MAX = 200
ANSWER_WINDOW = timedelta(minutes=15)  # how long after the end an answer is taken


@dataclass(frozen=True)
class Reveal:
    """What one person learns of a mutual match: who, and the contact they chose to share."""

    to: str  # the person told
    conversation_id: str
    name: str  # the partner's name
    contact: str  # the partner's shared contact ("" when they shared none)


@dataclass
class Question:
    """The private "again?" of one ended conversation: its two people, when it closes, each
    answer and the contact each chose to share (kept in memory only). Made by `Answers.ask`."""

    conversation_id: str
    names: dict[str, str]  # person -> display name, the two people of the conversation
    closes_at: datetime
    answers: dict[str, bool] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)  # memory only

    def partner(self, person: str) -> str:
        return next(p for p in self.names if p != person)

    @property
    def mutual(self) -> bool:
        return len(self.answers) == 2 and all(self.answers.values())


def clean_contact(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CoreError("invalid_payload", "A contact to share must be text.")
    text = " ".join(value.split())
    if len(text) > CONTACT_MAX:
        raise CoreError("contact_too_long", f"A contact can hold at most {CONTACT_MAX} characters.")
    if any(ord(c) < 32 for c in text):
        raise CoreError("invalid_payload", "A contact cannot hold control characters.")
    return text


class Answers:
    """Every open "again?" question and its answers, pure: asked when a conversation ends,
    answered by each person, revealed only on a mutual yes. Held by the server's "again?"
    service (server/again.py), and saved with an evening."""

    def __init__(self, window: timedelta = ANSWER_WINDOW) -> None:
        self.window = window
        self._questions: dict[str, Question] = {}

    def ask(self, conversation_id: str, names: Mapping[str, str], now: datetime) -> Question:
        """Open the question for a conversation that just ended (two people: id -> name)."""
        if len(names) != 2:
            raise ValueError("a conversation has two people")
        question = Question(conversation_id, dict(names), now + self.window)
        self._questions[conversation_id] = question
        return question

    def question(self, conversation_id: str) -> Question | None:
        return self._questions.get(conversation_id)

    def pending_for(self, person: str, now: datetime) -> list[Question]:
        """Open questions this person has not answered yet."""
        return [
            q
            for q in self._questions.values()
            if person in q.names and person not in q.answers and now < q.closes_at
        ]

    def answer(
        self, conversation_id: Any, person: str, yes: Any, contact: Any, now: datetime
    ) -> list[Reveal]:
        """Take one answer. Returns the two reveals when it makes a mutual match, else []."""
        question = self._questions.get(conversation_id) if isinstance(conversation_id, str) else None
        if question is None or person not in question.names:
            raise CoreError("not_your_conversation", "You can only answer for a conversation you were in.")
        if not isinstance(yes, bool):
            raise CoreError("invalid_payload", "An answer is yes (true) or no (false).")
        if person in question.answers:
            raise CoreError("already_answered", "You have already answered for this conversation.")
        if now >= question.closes_at:
            raise CoreError("answer_closed", "The time to answer for this conversation is over.")
        shared = clean_contact(contact) if yes else ""
        question.answers[person] = yes
        if shared:
            question.contacts[person] = shared
        if not question.mutual:
            return []
        a, b = question.names
        return [self._reveal(question, a, b), self._reveal(question, b, a)]

    def decline(self, person: str, other: str) -> None:
        """`person` reported `other`: every "again?" between them counts as no from `person`
        (a yes given before is taken back with its contact)."""
        for question in self._questions.values():
            if person in question.names and other in question.names:
                question.answers[person] = False
                question.contacts.pop(person, None)

    @staticmethod
    def _reveal(question: Question, to: str, partner: str) -> Reveal:
        return Reveal(
            to, question.conversation_id, question.names[partner], question.contacts.get(partner, "")
        )

    def matches_of(self, person: str) -> list[Reveal]:
        """Every mutual match of this person, in the order the conversations ended."""
        return [
            self._reveal(q, person, q.partner(person))
            for q in self._questions.values()
            if person in q.names and q.mutual
        ]

    def counts(self) -> dict[str, int]:
        """What the host may see: how many answers came, how many conversations matched."""
        return {
            "asked": len(self._questions),
            "answered": sum(len(q.answers) for q in self._questions.values()),
            "mutual": sum(1 for q in self._questions.values() if q.mutual),
        }

    def prune(self, now: datetime) -> None:
        """Forget the questions whose time is over and that made no match (a match is kept
        for the list at the end of an evening)."""
        for cid in [c for c, q in self._questions.items() if now >= q.closes_at and not q.mutual]:
            del self._questions[cid]

    def to_dict(self) -> dict[str, Any]:
        """What may be written to disk: the answers, never the contacts."""
        return {
            cid: {"names": q.names, "closes_at": q.closes_at.isoformat(), "answers": q.answers}
            for cid, q in self._questions.items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], window: timedelta = ANSWER_WINDOW) -> Answers:
        answers = cls(window)
        for cid, q in data.items():
            question = Question(
                str(cid),
                dict(q["names"]),
                datetime.fromisoformat(q["closes_at"]),
                {str(k): bool(v) for k, v in q.get("answers", {}).items()},
            )
            answers._questions[str(cid)] = question
        return answers
