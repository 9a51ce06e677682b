"""Who each socket is: a person, known across sockets (a reclaimed slot, an evening's secret)."""

from __future__ import annotations

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event


class People:
    """The person behind each connected socket, and the socket of each person.

    A socket is its own person unless `bind` says otherwise (an evening binds each page to the
    person its secret names). A slot reclaimed by a new socket moves its person along (the
    host subscribes this to the rooms). Held by the host; "again?", the evening and reports ask
    it through the `People` port (core/ports.py)."""

    def __init__(self) -> None:
        self._person: dict[str, str] = {}  # socket -> person
        self._sid: dict[str, str] = {}  # person -> connected socket
        self._known: set[str] = set()  # every person ever bound (not a socket of its own)

    def person_of(self, sid: str) -> str:
        return self._person.get(sid, sid)

    def sid_of(self, person: str) -> str | None:
        if person in self._known:
            return self._sid.get(person)
        return person  # a socket that is only itself

    def bound(self, sid: str) -> str | None:
        """The person `bind` gave this socket (None: it is only itself)."""
        return self._person.get(sid)

    def connected(self, person: str) -> bool:
        return person in self._sid

    def bind(self, sid: str, person: str) -> None:
        old = self._sid.get(person)
        if old is not None and old != sid:
            self._person.pop(old, None)
        self._person[sid] = person
        self._sid[person] = sid
        self._known.add(person)

    def unbind(self, sid: str) -> str | None:
        """Forget the socket; its person is not connected any more. Returns that person."""
        person = self._person.pop(sid, None)
        if person is not None and self._sid.get(person) == sid:
            del self._sid[person]
        return person

    def clear(self) -> None:
        self._person.clear()
        self._sid.clear()
        self._known.clear()

    def __call__(self, event: Event) -> None:
        """A rooms observer: a slot reclaimed by a new socket keeps its person."""
        d = event.data
        if event.kind == ev.PEER_STATUS and d.get("state") == ev.CONNECTED:
            person = self._person.get(d.get("old_sid", ""))
            if person is not None:
                self.unbind(d["old_sid"])
                self.bind(d["sid"], person)
