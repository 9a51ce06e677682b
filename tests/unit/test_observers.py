"""One failing observer does not keep an event from the others."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.core import Event, Rooms, parse_profile
from heartlink_desktop.core.events import observer_name

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)


class FullDisk:
    def __call__(self, event: Event) -> None:
        raise OSError(28, "No space left on device")


def test_every_observer_hears_every_event_when_one_raises(caplog: pytest.LogCaptureFixture) -> None:
    rooms = Rooms()
    before: list[str] = []
    after: list[str] = []
    rooms.subscribe(lambda e: before.append(e.kind))
    rooms.subscribe(FullDisk())
    rooms.subscribe(lambda e: after.append(e.kind))
    with caplog.at_level(logging.DEBUG, logger="heartlink_desktop.core.events"):
        rooms.join("a", parse_profile({"name": "Ann"}), T0)
        rooms.join("b", parse_profile({"name": "Bob"}), T0)
        entry = rooms.talk.add_line("a", "hello", T0 + timedelta(seconds=1))
    assert entry["text"] == "hello"
    assert before == after == ["created", "joined", "joined", "phase", "transcript"]
    full = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(full) == 1  # logged in full once, with its name
    assert "FullDisk" in full[0].getMessage() and full[0].exc_info is not None
    assert sum("FullDisk failed again" in r.getMessage() for r in caplog.records) == 4


def test_observer_names() -> None:
    class Store:
        def on_event(self, event: Event) -> None: ...

    def window(event: Event) -> None: ...

    assert observer_name(Store().on_event) == "Store.on_event"
    assert observer_name(FullDisk()) == "FullDisk"
    assert observer_name(window).endswith("window")
