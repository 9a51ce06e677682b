"""The bridge: the host's state reaches the window as a status object, actions go to the host's parts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from heartlink_desktop import net
from heartlink_desktop.gui.bridge import HostStatus
from tests.gui.conftest import open_gui
from tests.support import until

pytestmark = pytest.mark.asyncio


async def test_the_status_follows_the_host(data_dir: Path) -> None:
    async with open_gui(data_dir, max_pairs=3) as gui:
        bridge, host = gui.window.bridge, gui.host
        seen: list[HostStatus] = []
        bridge.status_changed.connect(seen.append)
        s = bridge.status
        assert s.running and s.port == host.port and s.join_url == host.join_url
        assert (s.address, s.addresses, s.cert) == (host.address, tuple(host.addresses), host.cert)
        assert (s.bind, s.max_pairs, s.clients) == ("127.0.0.1", 3, 0)
        await gui.peers.pair()
        await until(lambda: bridge.status.clients == 2)
        assert seen and seen[-1] is bridge.status
        old = bridge.status.join_url
        await bridge.reset()
        assert bridge.status.join_url == host.join_url != old
        assert gui.window.join.url.text() == host.join_url


async def test_a_busy_port_offers_the_one_the_host_found(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        monkeypatch.setattr(net, "free_port", lambda host="0.0.0.0": 54321)
        async with open_gui(data_dir, port=blocker.getsockname()[1], wait_running=False) as gui:
            w = gui.window
            await until(lambda: w.status.other_port.isVisibleTo(w))
            assert w.status.other_port.text() == "Use port 54321"
            assert not w.bridge.status.running and w.bridge.status.port is None


async def test_asking_the_facilitator_before_both_are_in_says_when_it_speaks(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        bridge = gui.window.bridge
        notices: list[str] = []
        bridge.notice.connect(notices.append)
        a = await gui.peers.new("a")
        sid = (await a.join("Alice"))["session_id"]
        bridge.interject(sid)
        assert notices == ["The facilitator speaks once both people are in the call."]


async def test_changing_speech_on_a_host_without_it_is_a_plain_problem(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        bridge = gui.window.bridge
        problems: list[str] = []
        bridge.problem.connect(problems.append)
        gui.host.speech = None
        bridge.set_stt("off")
        assert problems == ["Changing the speech-to-text engine: this host has no speech to text."]
