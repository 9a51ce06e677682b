"""A store that cannot write (a full disk) keeps no line from the partner, the window or the
facilitator: the core delivers each event to every observer."""

from __future__ import annotations

from typing import Any

import pytest

from heartlink_desktop.core import Event
from heartlink_desktop.server.store import SessionStore
from tests.support import Serve

pytestmark = pytest.mark.asyncio


async def test_a_failing_store_stops_no_one(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(self: SessionStore, event: Event) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SessionStore, "__call__", full_disk)
    host, clients = await serve()
    window: list[dict[str, Any]] = []
    host.rooms.subscribe(lambda e: window.append(e.data["entry"]) if e.kind == "transcript" else None)
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "the disk is full but I am here"})
    line = await b.wait_for("transcript_update")
    assert line["text"] == "the disk is full but I am here"
    assert [e["text"] for e in window] == ["the disk is full but I am here"]
    state = host.facilitator.state(line["session_id"])
    assert state is not None and state.turns_since_ai == 1
    assert not list(host.paths.sessions.glob("*.json"))  # nothing was written
