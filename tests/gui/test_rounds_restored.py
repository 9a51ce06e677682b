"""The window after a crash mid-evening: it shows the evening paused, waiting for people to
return, offers Resume, and tells the host when it goes on by itself."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heartlink_desktop.core.evening import Evening
from tests.gui.conftest import open_gui
from tests.support import until

pytestmark = pytest.mark.asyncio


def crashed_evening(data_dir: Path) -> dict[str, str]:
    """The file a host leaves when it dies in round 2 of 3 with four people; their secrets."""
    t = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    evening = Evening(3, 120, 30)
    for p in ("p0", "p1", "p2", "p3"):
        evening.join(p, p.upper())
    evening.start(t)
    evening.next(t)
    evening.next(t)
    secrets = {p: f"secret-of-{p}-0123456789" for p in evening.people}
    data = {
        "evening": evening.to_dict(),
        "answers": {},
        "people": dict(evening.people),
        "secrets": {hashlib.sha256(s.encode()).hexdigest(): p for p, s in secrets.items()},
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "evening.json").write_text(json.dumps(data))
    return secrets


async def test_a_restored_evening_waits_for_people_and_goes_on_when_two_are_back(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    secrets = crashed_evening(tmp_path / "data")
    async with open_gui(tmp_path / "data", rounds=3) as gui:
        panel = gui.window.rounds
        await until(lambda: panel.state.text().startswith("Paused after round 2 of 3"))
        assert "waiting for people to return (0 back)" in panel.state.text()
        assert panel.next_button.text() == "Resume" and panel.next_button.isEnabled()
        assert panel.end_button.isEnabled() and not panel.start_button.isEnabled()
        notices: list[str] = []
        gui.window.bridge.notice.connect(notices.append)
        panel.next_button.click()  # nobody is back yet: it says so and stays paused
        await until(lambda: bool(notices))
        assert "it goes on when two are" in notices[0]
        evening = gui.host.evening
        assert evening is not None
        met = evening.evening.history.met
        a, b = next((x, y) for x in secrets for y in secrets if x < y and frozenset((x, y)) not in met)
        peers = []
        for person in (a, b):
            peer = await gui.peers.new(person)
            await peer.emit(
                "join",
                {"room": "matchmaking", "profile": {"name": person.upper()}, "person": secrets[person]},
            )
            peers.append(peer)
        for peer in peers:
            await peer.wait_for("session_info")
        await until(lambda: panel.state.text().startswith("Round 3 of 3"))
        await until(lambda: any(n.startswith("Two people are back: the evening goes on.") for n in notices))
        assert panel.next_button.text() == "Next round"
