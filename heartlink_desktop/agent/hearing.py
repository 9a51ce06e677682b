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


class Hearing:
    """Owns the parsed phrases of each live session's lines (text -> its parse, so a line said
    twice is parsed once) and each session's TopicIndex. The engine calls `heard` for each new
    line and `topics` before it chooses a line or writes a summary; `forget` when it ends."""

    def __init__(self, ear: Ear) -> None:
        self.ear = ear
        self._parsed: dict[str, dict[str, asyncio.Future[tuple[Mention, ...]]]] = {}
        self._index: dict[str, TopicIndex] = {}

    def heard(self, session_id: str, text: str) -> None:
        """Start parsing a new line now (on the running loop), so it is ready when needed."""
        lines = self._parsed.setdefault(session_id, {})
        if text not in lines:
            lines[text] = asyncio.ensure_future(self.ear.mentions(text))

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
        for e in new:
            self.heard(session_id, str(e.get("text", "")))
        lines = self._parsed.get(session_id, {})
        pending = [lines[str(e.get("text", ""))] for e in new]
        pending = [f for f in pending if not f.done()]
        if pending:
            await asyncio.wait(pending, timeout=wait)
        ready = 0
        while ready < len(new) and self._parsed_yet(session_id, str(new[ready].get("text", ""))):
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

    def _parsed_yet(self, session_id: str, text: str) -> bool:
        future = self._parsed.get(session_id, {}).get(text)
        return future is not None and future.done()
