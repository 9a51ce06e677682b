"""The host as the window sees it (`HostStatus`), and failures put in one plain sentence."""

from __future__ import annotations

import errno
from dataclasses import dataclass

from heartlink_desktop import net, tls


@dataclass(frozen=True)
class HostStatus:
    """The host as the window sees it, copied by the bridge whenever the server says it changed."""

    running: bool
    port: int | None  # the port it listens on (None until it does)
    bind: str  # the interface it was asked to listen on (--host)
    address: str  # the LAN address in the join link
    addresses: tuple[net.LanAddress, ...]
    join_url: str
    cert: tls.CertStatus | None
    clients: int  # phones connected
    max_pairs: int  # conversations at once, in this run
    queue_enabled: bool
    meet_mode: str  # who meets whom: "preferences" or "everyone"


def plain_error(what: str, exc: BaseException) -> str:
    """One sentence a host can act on; the traceback goes to the log only."""
    if isinstance(exc, PermissionError) or getattr(exc, "errno", None) == errno.EACCES:
        return f"{what}: this computer does not allow it (permission denied)."
    message = str(exc).strip() or type(exc).__name__
    return f"{what}: {message}"
