"""Session files: one JSON file per live session, written atomically, deleted at the end."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from heartlink_desktop.core import events as ev
from heartlink_desktop.core.events import Event
from heartlink_desktop.paths import atomic_write

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^session_\d{8}_\d{6}(_\d+)?$")


class SessionStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, session_id: str) -> Path:
        if not _SAFE_ID.match(session_id):
            raise ValueError(f"not a session id: {session_id!r}")
        return self.directory / f"{session_id}.json"

    def clear_stale(self) -> list[str]:
        """Remove files a previous run left (a crash): their sockets are gone, so are they."""
        removed = []
        for p in list(self.directory.glob("session_*.json")) + list(self.directory.glob(".session_*.tmp")):
            p.unlink(missing_ok=True)
            removed.append(p.name)
        if removed:
            log.info("removed %d session file(s) left by an earlier run", len(removed))
        return removed

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("session_*.json"))

    def __call__(self, event: Event) -> None:
        """An observer of the core: keep the file in step with the session."""
        if event.kind == ev.DELETED:
            self.path(event.session_id).unlink(missing_ok=True)
        elif event.kind == ev.ENDED:
            pass  # DELETED follows at once; writing an 'ended' file only to remove it is waste
        elif event.snapshot is not None:
            data = json.dumps(event.snapshot, indent=2, ensure_ascii=False).encode()
            atomic_write(self.path(event.session_id), data)
