"""What the facilitator heard in each session: every human line's phrases, parsed off the loop
as the line arrives, and the session's topics, built line by line, when a line is chosen."""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from heartlink_desktop.agent.nlp import Ear
from heartlink_desktop.core.topics import Heard, Mention, Topic, TopicIndex, plain_mentions
from heartlink_desktop.core.vocab import FACILITATOR_NAME, ROLES

log = logging.getLogger(__name__)

PARSE_WAIT = 1.0  # seconds a line choice waits for lines still being parsed (then: plain words)
SUMMARY_PARSE_WAIT = 5.0  # a summary may wait longer: the session is ending anyway
IN_FLIGHT = 8  # lines at most waiting for the worker as they arrive
PARSE_AT_ONCE = 16  # the latest lines parsed when a line is chosen, if they were not yet


class Hearing:
    """Owns the parsed phrases of each live session's lines (text -> its parse, so a line said
    twice is parsed once) and each session's TopicIndex. The engine calls `heard` for each new
    line and `topics` before it chooses a line or writes a summary; `forget` when it ends."""

    def __init__(self, ear: Ear) -> None:
        self.ear = ear
        self._parsed: dict[str, dict[str, asyncio.Future[tuple[Mention, ...]]]] = {}
        self._index: dict[str, TopicIndex] = {}
        self._in_flight = 0  # lines sent to the ear and not back yet, every session together

    def heard(self, session_id: str, text: str, *, now: bool = False) -> None:
        """Start parsing a new line (on the running loop), so it is ready when needed; unless
        the worker is behind (a flood of lines): then the line waits until a line is chosen."""
        lines = self._parsed.setdefault(session_id, {})
        if text in lines or (self._in_flight >= IN_FLIGHT and not now):
            return
        future = asyncio.ensure_future(self.ear.mentions(text))
        self._in_flight += 1
        future.add_done_callback(self._one_done)
        lines[text] = future

    def _one_done(self, _: asyncio.Future[tuple[Mention, ...]]) -> None:
        self._in_flight -= 1

    def forget(self, session_id: str) -> None:
        self._index.pop(session_id, None)
        for future in self._parsed.pop(session_id, {}).values():
            future.cancel()

    def _mentions(self, session_id: str, text: str) -> tuple[Mention, ...]:
        future = self._parsed.get(session_id, {}).get(text)
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        return plain_mentions(text)  # still being parsed (the model is loading): its plain words

    async def topics(
        self, session_id: str, snapshot: dict[str, Any], wait: float = PARSE_WAIT
    ) -> tuple[list[Topic], int]:
        """The session's topics (core/topics.py) and the index of its latest human line. Only
        the lines said since the last call are added: the cost does not grow with the session."""
        human = [e for e in snapshot.get("transcript", []) if e.get("speaker") in ROLES]
        index = self._index.get(session_id)
        if index is None or index.lines > len(human):
            profiles = snapshot.get("participant_profiles", {})
            names = [str(p.get("name", "")) for p in profiles.values()] + [FACILITATOR_NAME]
            index = self._index[session_id] = TopicIndex(names)
        new = human[index.lines :]
        for e in new[-PARSE_AT_ONCE:]:  # older lines nobody parsed (a flood) keep their plain words
            self.heard(session_id, str(e.get("text", "")), now=True)
        lines = self._parsed.get(session_id, {})
        pending = [f for e in new if (f := lines.get(str(e.get("text", "")))) is not None and not f.done()]
        if pending:
            await asyncio.wait(pending, timeout=wait)
        ready = 0
        while ready < len(new) and self._settled(session_id, str(new[ready].get("text", ""))):
            ready += 1
        for e in new[:ready]:  # parsed: into the session's index for good
            text = str(e.get("text", ""))
            index.add(Heard(str(e["speaker"]), index.lines, self._mentions(session_id, text)))
        if ready == len(new):
            return index.topics(), len(human) - 1
        # Lines still being parsed (the model is loading) count with their plain words this
        # once, in a copy: the next call adds them with their real phrases.
        provisional = copy.deepcopy(index)
        for e in new[ready:]:
            text = str(e.get("text", ""))
            provisional.add(Heard(str(e["speaker"]), provisional.lines, plain_mentions(text)))
        return provisional.topics(), len(human) - 1

    def _settled(self, session_id: str, text: str) -> bool:
        """The line's phrases will not change: parsed, or never sent to be parsed."""
        future = self._parsed.get(session_id, {}).get(text)
        return future is None or future.done()
