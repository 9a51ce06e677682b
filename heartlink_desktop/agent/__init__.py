"""The facilitator ("janitor_01"): offline decks, an optional LLM, timers and summaries."""

from __future__ import annotations

from typing import Any

from heartlink_desktop.agent.decks import DeckError, load_decks
from heartlink_desktop.agent.engine import Facilitator

__all__ = ["DeckError", "Facilitator", "install"]


def install(host: Any) -> Facilitator:
    """Wire the facilitator into a host: events, service, summaries, `host.facilitator`."""
    engine = Facilitator(host, load_decks())
    host.services.append(engine)
    host.facilitator = engine
    return engine
