"""The facilitator ("janitor_01"): offline decks, an optional LLM, timers and summaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from heartlink_desktop.agent.decks import DeckError, load_decks
from heartlink_desktop.agent.engine import Facilitator
from heartlink_desktop.agent.nlp import shared_ear
from heartlink_desktop.agent.ports import FacilitatorSettings, RoomsView, Voice

__all__ = ["DeckError", "Facilitator", "facilitator"]


def facilitator(
    rooms: RoomsView, voice: Voice, settings: Callable[[], FacilitatorSettings], clock: Callable[[], datetime]
) -> Facilitator:
    """The facilitator for app.build_host: it gets the rooms, their talk, a settings getter
    and the clock (never the host itself); the host holds it as a service and `facilitator`."""
    return Facilitator(rooms, voice, settings, clock, load_decks(), ear=shared_ear())
