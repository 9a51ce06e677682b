"""The facilitator ("janitor_01"): offline decks, an optional LLM, timers and summaries."""

from __future__ import annotations

from heartlink_desktop.agent.decks import DeckError, load_decks
from heartlink_desktop.agent.engine import Facilitator
from heartlink_desktop.agent.nlp import shared_ear
from heartlink_desktop.agent.ports import HostPort

__all__ = ["DeckError", "Facilitator", "install"]


def install(host: HostPort) -> Facilitator:
    """Wire the facilitator into a host: it gets the rooms, their talk, a settings getter and
    the clock (never the host itself), and becomes a host service and `host.facilitator`."""
    rooms = host.rooms
    engine = Facilitator(rooms, rooms.talk, lambda: host.settings, host.now, load_decks(), ear=shared_ear())
    host.services.append(engine)
    host.facilitator = engine
    return engine
