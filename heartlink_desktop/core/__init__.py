"""Pure session and matchmaking core: no I/O, no Qt, no asyncio; time is passed in."""

from heartlink_desktop.core.deadlines import Due
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.events import Event
from heartlink_desktop.core.ledger import JoinResult
from heartlink_desktop.core.profile import Profile, parse_profile
from heartlink_desktop.core.rooms import Queued, Rooms
from heartlink_desktop.core.session import Session

__all__ = [
    "CoreError",
    "Due",
    "Event",
    "JoinResult",
    "Profile",
    "Queued",
    "Rooms",
    "Session",
    "parse_profile",
]
