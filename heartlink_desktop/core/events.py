"""The change events the core publishes to every observer (server, files, window, agent).

An event says what changed (the new line, the speaking flag), never the whole session: an
observer that needs the whole state asks `Rooms.get(id)` / `Rooms.snapshot(id)` when it needs
it, so a message costs the same at line 5,000 as at line 1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# Event kinds, in the order a session usually sees them.
CREATED = "created"  # a session opened (waiting for B)
JOINED = "joined"  # data: sid, role, profile, line, peer ({id, role, profile, line} | None), status
TRANSCRIPT = "transcript"  # data: entry (speaker, name, text, timestamp[, source])
AUDIO = "audio"  # data: role, speaking
PHASE = "phase"  # data: phase
UPDATED = "updated"  # anything else stored in the session changed (agent, summary)
LEFT = "left"  # data: sid, role (a participant is gone; the session is about to end)
ENDED = "ended"  # data: reason, summary, sids (every sid that was in the session)
DELETED = "deleted"  # the session is gone for good; its file must go too

# A participant's socket went away and its slot is held for the grace period, or the slot was
# reclaimed by a new socket presenting the resume secret.
#   data: role, state ("reconnecting" | "connected"), sid (the socket that went away, or the
#   one that came back), and for "reconnecting" `until` (ISO time the grace runs out), for
#   "connected" `old_sid` (the socket it replaces).
# `Session.reconnecting` ({role: until}) says which slots are held right now.
PEER_STATUS = "peer_status"
RECONNECTING, CONNECTED = "reconnecting", "connected"

# The line of people waiting for a free slot changed. session_id is "".
#   data: line ([{sid, name, position, since}], first in line first, position 1-based),
#   moved (sids that are new in the line or whose position changed),
#   removed ([{sid, reason}], reason "left" | "gone" | "paired" | "cleared").
QUEUE = "queue"


@dataclass(frozen=True)
class Event:
    """One change in the core: its kind (above), the session it concerns ("" for the line)
    and what changed. Made by the core, read by every observer."""

    kind: str
    session_id: str
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Event], None]


def observer_name(listener: Callable[..., Any]) -> str:
    """`Class.method` for a bound method, the class for a callable object, else its name."""
    owner = getattr(listener, "__self__", None)
    if owner is not None:
        return f"{type(owner).__name__}.{getattr(listener, '__name__', '?')}"
    name = getattr(listener, "__qualname__", None)
    return name if isinstance(name, str) else type(listener).__name__


class Publisher:
    """The observers of a part of the core, and the delivery of its events to them. Held by
    the part that publishes (the rooms' `Ledger`), which calls `emit`."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._failing: set[str] = set()  # observers whose failure was logged in full

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, event: Event) -> None:
        """Every observer hears every event, in order, even when one before it raises: a full
        disk in the store must not keep a line from the partner, the window or the facilitator.
        An observer's first failure is logged with its name and traceback, later ones briefly."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                name = observer_name(listener)
                if name in self._failing:
                    log.debug("observer %s failed again on a %s event", name, event.kind)
                else:
                    self._failing.add(name)
                    log.exception(
                        "observer %s failed on a %s event (it keeps getting events)", name, event.kind
                    )


class Hooks:
    """Listeners of a part that take no argument ("something changed: look"), told in order;
    one that raises is logged with the part's name and the others are still told. Held by
    "again?" and the guard (server/again.py, server/guard.py); the evening listens to both."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def __call__(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("a listener of %s failed", self._owner)
