"""The private "talk again?" after every conversation: who was in it, the question, the answers.

It watches the core's events to know who sat in each session (and under which socket now),
asks both people when the session ends (for any reason but a reset or the host stopping),
takes each answer, and tells both people of a mutual yes only. The window gets counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.again import Answers, Reveal
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.vocab import HOST_STOPPED, RESET
from heartlink_desktop.server import wire

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer

log = logging.getLogger(__name__)

NOT_ASKED = frozenset({RESET, HOST_STOPPED})  # endings after which nobody is asked


class Again:
    def __init__(self, host: HostServer) -> None:
        self.host = host
        self.answers = Answers()
        self._seats: dict[str, dict[str, tuple[str, str]]] = {}  # session -> role -> (sid, name)
        # Who a socket is: itself, unless an evening keeps people across rounds and reconnects.
        self.person_of: Callable[[str], str] = lambda sid: sid
        self.sid_of: Callable[[str], str | None] = lambda person: person
        self.on_change: list[Callable[[], None]] = []
        host.rooms.subscribe(self._on_event)

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
        now = self.host.now()
        self.answers.prune(now)
        people = {self.person_of(sid): name for sid, name in seats.values()}
        if len(people) != 2:
            return
        question = self.answers.ask(session_id, people, now)
        seconds = round((question.closes_at - now).total_seconds())
        for person in people:
            sid = self.sid_of(person)
            if sid is not None:
                partner = people[question.partner(person)]
                self.host.send(
                    "again_asked", {"session_id": session_id, "name": partner, "seconds": seconds}, to=sid
                )
        self._changed()

    # -- answers --------------------------------------------------------------------------
    def answer(self, sid: str, payload: Any) -> None:
        """`again_answer` {session_id, yes, contact?}: a CoreError goes back as session_error."""
        data = wire.obj(payload, "again_answer")
        session_id = data.get("session_id")
        reveals = self.answers.answer(
            session_id, self.person_of(sid), data.get("yes"), data.get("contact"), self.host.now()
        )
        # the same acknowledgement whatever the partner said or will say
        self.host.send("again_received", {"session_id": session_id}, to=sid)
        for reveal in reveals:
            self._tell(reveal)
        self._changed()

    def _tell(self, reveal: Reveal) -> None:
        sid = self.sid_of(reveal.to)
        if sid is not None:
            body = {"session_id": reveal.conversation_id, "name": reveal.name, "contact": reveal.contact}
            self.host.send("again_match", body, to=sid)

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
        for listener in list(self.on_change):
            try:
                listener()
            except Exception:
                log.exception("an 'again' listener failed")
        self.host.announce("again", **self.counts())
