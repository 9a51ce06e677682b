"""What the facilitator heard in each session: every human line's phrases, parsed off the loop
as the line arrives, and the session's topics built from them when a line is to be chosen."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from heartlink_desktop.agent.nlp import Ear
from heartlink_desktop.core.topics import Heard, Mention, Topic, plain_mentions, topics
from heartlink_desktop.core.vocab import FACILITATOR_NAME, ROLES

log = logging.getLogger(__name__)

PARSE_WAIT = 1.0  # seconds a line choice waits for lines still being parsed (then: plain words)
SUMMARY_PARSE_WAIT = 5.0  # a summary may wait longer: the session is ending anyway


class Hearing:
    """Owns the parsed phrases of each live session's lines (text -> its parse, so a line said
    twice is parsed once). The engine calls `heard` for each new line and `topics` before
    it chooses a line or writes a summary; `forget` when the session ends."""

    def __init__(self, ear: Ear) -> None:
        self.ear = ear
        self._parsed: dict[str, dict[str, asyncio.Future[tuple[Mention, ...]]]] = {}

    def heard(self, session_id: str, text: str) -> None:
        """Start parsing a new line now (on the running loop), so it is ready when needed."""
        lines = self._parsed.setdefault(session_id, {})
        if text not in lines:
            lines[text] = asyncio.ensure_future(self.ear.mentions(text))

    def forget(self, session_id: str) -> None:
        for future in self._parsed.pop(session_id, {}).values():
            future.cancel()

    async def topics(
        self, session_id: str, snapshot: dict[str, Any], wait: float = PARSE_WAIT
    ) -> tuple[list[Topic], int]:
        """The session's topics (core/topics.py) and the index of its latest human line."""
        human = [e for e in snapshot.get("transcript", []) if e.get("speaker") in ROLES]
        for e in human:
            self.heard(session_id, str(e.get("text", "")))
        lines = self._parsed.get(session_id, {})
        pending = [f for f in lines.values() if not f.done()]
        if pending:
            await asyncio.wait(pending, timeout=wait)
        heard: list[Heard] = []
        for i, e in enumerate(human):
            text = str(e.get("text", ""))
            future = lines.get(text)
            mentions: tuple[Mention, ...]
            if future is not None and future.done() and not future.cancelled() and future.exception() is None:
                mentions = future.result()
            else:  # still being parsed (the model is loading): its plain words for now
                mentions = plain_mentions(text)
            heard.append(Heard(str(e["speaker"]), i, mentions))
        profiles = snapshot.get("participant_profiles", {})
        names = [str(p.get("name", "")) for p in profiles.values()] + [FACILITATOR_NAME]
        return topics(heard, exclude=names), len(human) - 1
