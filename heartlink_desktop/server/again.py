"""The private "talk again?" after every conversation: who was in it, the question, the answers.

It watches the core's events to know who sat in each session (and under which socket now),
asks both people when the session ends (for any reason but a reset or the host stopping),
takes each answer, and tells both people of a mutual yes only. The window gets counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.again import Answers, Reveal
from heartlink_desktop.core.events import Event, Hooks
from heartlink_desktop.core.notices import AgainAsked, AgainMatch, AgainReceived
from heartlink_desktop.core.ports import Clock, News, Notify, People, RoomsView
from heartlink_desktop.core.vocab import HOST_STOPPED, RESET
from heartlink_desktop.server import wire

log = logging.getLogger(__name__)

NOT_ASKED = frozenset({RESET, HOST_STOPPED})  # endings after which nobody is asked


class Again:
    """The "again?" service: who sat in each session, the question when it ends, the answers.

    Gets the rooms to watch, a way to tell a page, the host's news, a clock and who a socket is
    (`People`: a person may change sockets, and in an evening is known by their secret). Its
    `subscribe` tells a listener (the evening, which saves its file) after every change. Made by
    the host; the namespace calls `answer`, the evening `matches_of`, `answers`, `restore`."""

    def __init__(self, rooms: RoomsView, notify: Notify, news: News, clock: Clock, people: People) -> None:
        self._notify = notify
        self._news = news
        self._clock = clock
        self._people = people
        self.answers = Answers()
        self._seats: dict[str, dict[str, tuple[str, str]]] = {}  # session -> role -> (sid, name)
        self._hooks = Hooks("again?")
        rooms.subscribe(self._on_event)

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Hear of every question asked and answer taken (returns the way to stop)."""
        return self._hooks.subscribe(listener)

    def restore(self, answers: Answers) -> None:
        """The answers of an evening picked up after a crash."""
        self.answers = answers
        self._changed()

    # -- who sat where --------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        d = event.data
        if event.kind == ev.JOINED:
            name = str((d.get("profile") or {}).get("name", ""))
            self._seats.setdefault(event.session_id, {})[d["role"]] = (d["sid"], name)
        elif event.kind == ev.PEER_STATUS and d.get("state") == ev.CONNECTED:
            seats = self._seats.get(event.session_id, {})
            if d["role"] in seats:
                seats[d["role"]] = (d["sid"], seats[d["role"]][1])
        elif event.kind == ev.ENDED:
            seats = self._seats.pop(event.session_id, {})
            if d.get("reason") not in NOT_ASKED and len(seats) == 2:
                self._ask(event.session_id, seats)
        elif event.kind == ev.DELETED:
            self._seats.pop(event.session_id, None)

    def _ask(self, session_id: str, seats: dict[str, tuple[str, str]]) -> None:
        now = self._clock()
        self.answers.prune(now)
        people = {self._people.person_of(sid): name for sid, name in seats.values()}
        if len(people) != 2:
            return
        question = self.answers.ask(session_id, people, now)
        seconds = round((question.closes_at - now).total_seconds())
        for person in people:
            sid = self._people.sid_of(person)
            if sid is not None:
                partner = people[question.partner(person)]
                self._notify(AgainAsked(sid, session_id, partner, seconds))
        self._changed()

    # -- answers --------------------------------------------------------------------------
    def answer(self, sid: str, payload: Any) -> None:
        """`again_answer` {session_id, yes, contact?}: a CoreError goes back as session_error."""
        data = wire.obj(payload, "again_answer")
        session_id = data.get("session_id")
        reveals = self.answers.answer(
            session_id, self._people.person_of(sid), data.get("yes"), data.get("contact"), self._clock()
        )
        # the same acknowledgement whatever the partner said or will say
        self._notify(AgainReceived(sid, str(session_id)))
        for reveal in reveals:
            self._tell(reveal)
        self._changed()

    def _tell(self, reveal: Reveal) -> None:
        sid = self._people.sid_of(reveal.to)
        if sid is not None:
            self._notify(AgainMatch(sid, reveal.conversation_id, reveal.name, reveal.contact))

    def matches_of(self, person: str) -> list[dict[str, str]]:
        return [
            {"session_id": r.conversation_id, "name": r.name, "contact": r.contact}
            for r in self.answers.matches_of(person)
        ]

    def counts(self) -> dict[str, int]:
        return self.answers.counts()

    def clear(self) -> None:
        """A reset: every question, answer and contact is forgotten."""
        self.answers = Answers(self.answers.window)
        self._seats.clear()
        self._changed()

    def _changed(self) -> None:
        self._hooks()
        self._news("again", **self.counts())
