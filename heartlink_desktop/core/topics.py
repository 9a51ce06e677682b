"""The topics of a conversation: the phrases each person brought up, who picked them up, what
someone would rather not talk about, and whether a line names one; pure.

The phrases come as plain data from agent/nlp.py (spaCy) or, when it is not there, from
`plain_mentions` here; this module only counts, merges and judges them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from heartlink_desktop.core.words import STOPWORDS, content_words, words

# The kinds of thing a phrase names; follow-up templates are written for each.
PLACE, PERSON, GROUP, ORG, WORK, EVENT, ACTIVITY, THING = (
    "place",
    "person",
    "group",
    "org",
    "work",
    "event",
    "activity",
    "thing",
)
TOPIC_KINDS = (PLACE, PERSON, GROUP, ORG, WORK, EVENT, ACTIVITY, THING)
NAMED = frozenset({PLACE, PERSON, GROUP, ORG, WORK, EVENT})
# How much more a kind tells about the person than a plain noun does.
KIND_WEIGHT = {
    PLACE: 3.0,
    PERSON: 3.0,
    WORK: 3.0,
    EVENT: 3.0,
    ORG: 2.0,
    GROUP: 1.5,
    ACTIVITY: 2.5,
    THING: 1.0,
}
RECENT = 8  # human lines that count as "just said" for a follow-up


@dataclass(frozen=True)
class Mention:
    """One phrase in one line, as the parser found it."""

    text: str  # as said, without a leading article or possessive: "Torres del Paine", "jazz piano"
    key: str  # what identifies the topic: lowercased, lemmatised ("hike" for "hiking")
    kind: str  # one of TOPIC_KINDS
    start: int = 0  # where it begins in the line (characters)
    article: str = ""  # the determiner a singular common noun came with: "my", "a", "the"
    avoid: bool = False  # said as disliked, or as something not to talk about


@dataclass(frozen=True)
class Heard:
    """One human line with the phrases found in it."""

    role: str
    index: int  # its position among the session's human lines
    mentions: tuple[Mention, ...] = ()


@dataclass
class Topic:
    """One thing the pair talked about, merged over every line that named it."""

    key: str
    text: str
    kind: str
    by: str  # the role who brought it up first
    first: int  # line index of the first mention
    last: int  # line index of the latest mention
    article: str = ""
    count: int = 1
    roles: set[str] = field(default_factory=set)
    avoided_by: set[str] = field(default_factory=set)

    @property
    def picked_up(self) -> bool:
        """The other person named it too."""
        return len(self.roles) > 1

    @property
    def avoided(self) -> bool:
        return bool(self.avoided_by)

    def score(self, latest: int) -> float:
        """Worth asking about or summing up: a named thing, said again, picked up, said lately."""
        recency = 1.0 if latest - self.last < RECENT else 0.0
        multi = 0.5 if " " in self.text else 0.0
        return KIND_WEIGHT.get(self.kind, 1.0) + multi + self.count + 2.0 * self.picked_up + recency


# -- what a person would rather not talk about ---------------------------------------------------
# A cue opens a stretch of the clause in which every phrase is avoided ("I hate running"); a
# trailing cue closes one ("my ex is a sore subject").
_AVOID_BEFORE = re.compile(
    r"\b(hate|hated|hates|can'?t stand|cannot stand|dislike|dislikes|disliked|loathe|detest|despise|"
    r"(?:do ?n[o']t|did ?n[o']t|never|not|really don'?t) (?:really |much |even )?(?:like|love|enjoy|care for)|"
    r"not (?:a|much of a|really a|the biggest) fan of|not (?:really )?into|sick of|tired of|"
    r"(?:do ?n[o']t|not|never|rather not|prefer not to|would rather not|'d rather not|let'?s not|can we not)"
    r" (?:want to |wanna |like to |really )?(?:talk(?:ing)? about|discuss|get(?:ting)? into|go(?:ing)? into|"
    r"bring(?:ing)? up|ask(?:ing)? (?:me )?about|mention)|"
    r"(?:do ?n[o']t|please don'?t) ask(?: me)? about|change the subject from)\b",
    re.IGNORECASE,
)
_AVOID_AFTER = re.compile(
    r"\b(is|are|was|'s|’s) (?:a )?(?:sore subject|sore spot|touchy subject|off limits|off-limits|"
    r"not something I talk about|a long story I'?d rather skip)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?;]|\bbut\b|\bthough\b|\balthough\b|\bwhereas\b|\bhowever\b", re.IGNORECASE)


def _clause_bounds(text: str, at: int) -> tuple[int, int]:
    start = 0
    for m in _CLAUSE_END.finditer(text):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            return start, m.start()
    return start, len(text)


def avoided_spans(text: str) -> list[tuple[int, int]]:
    """The stretches of a line that name things its speaker dislikes or would not talk about."""
    spans: list[tuple[int, int]] = []
    for m in _AVOID_BEFORE.finditer(text):
        spans.append((m.end(), _clause_bounds(text, m.end())[1]))
    for m in _AVOID_AFTER.finditer(text):
        spans.append((_clause_bounds(text, m.start())[0], m.start()))
    return spans


def mark_avoided(text: str, mentions: Iterable[Mention]) -> tuple[Mention, ...]:
    """The mentions with `avoid` set for those inside an avoided stretch of the line."""
    spans = avoided_spans(text)
    out = []
    for m in mentions:
        inside = any(a <= m.start < b for a, b in spans)
        out.append(Mention(m.text, m.key, m.kind, m.start, m.article, m.avoid or inside))
    return tuple(out)


# -- a parser of last resort ---------------------------------------------------------------------
_PLAIN_SKIP = STOPWORDS | {"minute", "minutes", "hour", "hours", "week", "weeks", "month", "months"}


def plain_mentions(text: str, exclude: Iterable[str] = ()) -> tuple[Mention, ...]:
    """Content words as things, for when the language model is not loaded (yet): a fallback so
    the facilitator never waits on it."""
    skip = {e.lower() for e in exclude} | _PLAIN_SKIP
    out: list[Mention] = []
    seen: set[str] = set()
    for w in content_words(text, skip):
        if w in seen:
            continue
        seen.add(w)
        m = re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)
        start = m.start() if m else 0
        said = text[start : start + len(w)] if m else w
        out.append(Mention(said, w, THING, start))
    return mark_avoided(text, out)


# -- topics --------------------------------------------------------------------------------------
def _same(a: str, b: str) -> bool:
    """One phrase's words begin or end the other's: "Monk" and "Thelonious Monk", "jazz" and
    "jazz piano"; the small model's slips too ("campfire guitar counts")."""
    aw, bw = a.split(), b.split()
    short, long_ = (aw, bw) if len(aw) <= len(bw) else (bw, aw)
    return long_[: len(short)] == short or long_[-len(short) :] == short


def _best_form(forms: dict[str, tuple[int, int, str, str]]) -> str:
    """The form to name a topic by: a name in full, else the form said most, in lower case
    rather than capitalised at a sentence's start, then the first said."""
    named = [f for f, (_, _, kind, _) in forms.items() if kind in NAMED]
    if named:
        return max(named, key=lambda f: (len(f.split()), forms[f][0]))
    return min(forms, key=lambda f: (-forms[f][0], f[:1].isupper(), forms[f][1]))  # "ramen", not "Ramen"


class TopicIndex:
    """The topics of one conversation, built line by line: a long session costs per new line,
    not per line said so far. Hearing (agent/hearing.py) keeps one per session and adds each
    line once; `topics()` reads the result."""

    def __init__(self, exclude: Iterable[str] = ()) -> None:
        self.skip = {w.lower() for name in exclude for w in words(name)}
        self.lines = 0  # how many lines were added
        self._found: list[Topic] = []
        self._keys: list[set[str]] = []
        self._forms: list[dict[str, tuple[int, int, str, str]]] = []  # text -> (times, first, kind, article)
        # Phrases that begin or end alike share a first or a last word: only those are compared.
        self._by_edge: dict[str, set[int]] = {}

    def _find(self, key: str, said: str, edges: set[str]) -> int | None:
        near: set[int] = set()
        for w in edges:
            near |= self._by_edge.get(w, set())
        for i in sorted(near):
            if any(_same(k, key) or _same(k, said) for k in self._keys[i]):
                return i
        return None

    def add(self, line: Heard) -> None:
        self.lines += 1
        named_here: set[int] = set()
        for m in line.mentions:
            key = " ".join(m.key.lower().split())
            if not key or set(key.split()) <= self.skip or m.kind not in TOPIC_KINDS:
                continue
            said = " ".join(words(m.text))  # "Hiking!" and "hiking" are one topic, whatever the parse
            edges = {w for k in (key, said) if k for w in (k.split()[0], k.split()[-1])}
            at = self._find(key, said, edges)
            if at is None:
                at = len(self._found)
                self._found.append(
                    Topic(key, m.text, m.kind, line.role, line.index, line.index, m.article, 0)
                )
                self._keys.append(set())
                self._forms.append({})
            topic = self._found[at]
            self._keys[at] |= {k for k in (key, said) if k}
            for w in edges:
                self._by_edge.setdefault(w, set()).add(at)
            n, first, kind, article = self._forms[at].get(m.text, (0, line.index, m.kind, m.article))
            self._forms[at][m.text] = (n + 1, first, kind, article or m.article)
            if m.avoid:
                topic.avoided_by.add(line.role)
            if at in named_here:
                continue  # the same line names it twice: once is enough
            named_here.add(at)
            topic.count += 1
            topic.last = line.index
            topic.roles.add(line.role)

    def topics(self) -> list[Topic]:
        """Every topic so far, in the order they came up, each named by its best form."""
        for topic, forms, keys in zip(self._found, self._forms, self._keys, strict=True):
            best = _best_form(forms)
            _, _, topic.kind, topic.article = forms[best]
            topic.text = best
            topic.key = max(keys, key=lambda k: len(k.split())) if topic.kind in NAMED else topic.key
        return list(self._found)


def topics(heard: Sequence[Heard], exclude: Iterable[str] = ()) -> list[Topic]:
    """Every phrase of the conversation merged into topics, in the order they came up.

    `exclude` holds the partners' names: "Ann, ..." is an address, not a topic."""
    index = TopicIndex(exclude)
    for line in heard:
        index.add(line)
    return index.topics()


def ranked(all_topics: Iterable[Topic], latest: int) -> list[Topic]:
    """Topics worth naming, best first; never one that somebody would rather not talk about."""
    return sorted(
        (t for t in all_topics if not t.avoided), key=lambda t: (-t.score(latest), -t.last, t.first)
    )


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?![\w])", re.I)


def names(text: str, topic: Topic) -> bool:
    """The line names the topic: its phrase, or a proper name's last word ("Monk")."""
    if _pattern(topic.text).search(text):
        return True
    if topic.kind in NAMED and " " in topic.text:
        return _pattern(topic.text.split()[-1]).search(text) is not None
    return _pattern(topic.key).search(text) is not None


def named_in(text: str, all_topics: Iterable[Topic]) -> list[Topic]:
    """The topics a line names."""
    return [t for t in all_topics if names(text, t)]
