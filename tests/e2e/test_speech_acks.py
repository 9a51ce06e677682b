"""The page sends its audio only as fast as the host acknowledges it (Socket.IO's public
acknowledgements, not socket.io-client's write buffer), in real Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests import speech
from tests.e2e.browser import ThreadHost, chromium, join, new_phone, open_page

pytestmark = pytest.mark.e2e

HEARD_MS = 45_000  # the page's start and a pass of the file
UNACKED_MAX = 8  # resources/web/speech.js


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    wav = speech.wav(["sisters", "beach"], tmp_path_factory.mktemp("speech") / "speech.wav")
    with chromium(f"--use-file-for-fake-audio-capture={wav}") as b:
        yield b


@pytest.fixture
def host(tmp_path: Path) -> Iterator[ThreadHost]:
    h = ThreadHost(tmp_path / "host-data")
    h.start()
    try:
        yield h
    finally:
        h.stop()


def test_audio_waits_in_the_page_while_the_host_does_not_acknowledge_it(
    browser: Browser, host: ThreadHost
) -> None:
    contexts: list[BrowserContext] = [new_phone(browser), new_phone(browser)]
    try:
        a, b = (open_page(c, host.url) for c in contexts)
        join(a, "Alice")
        join(b, "Bob")
        b.wait_for_function("() => window.heartlink.speech.chunks > 0", timeout=HEARD_MS)
        gate, stalled = threading.Event(), threading.Event()

        def stall() -> None:  # the host's loop stops: it reads, answers and acknowledges nothing
            stalled.set()
            gate.wait(30)

        host.loop.call_soon_threadsafe(stall)
        try:
            assert stalled.wait(10)
            sent = b.evaluate("window.heartlink.speech.chunks")
            # Bob keeps talking: his audio waits in the page, the socket still connected
            b.wait_for_function("() => window.heartlink.speech.queued >= 3", timeout=HEARD_MS)
            held = b.evaluate("window.heartlink.speech.chunks")
            assert b.evaluate("window.heartlink.socket.connected")
        finally:
            gate.set()
        assert held - sent <= UNACKED_MAX
        # the host acknowledges again: what waited goes out
        b.wait_for_function(
            f"() => window.heartlink.speech.chunks > {held} && window.heartlink.speech.queued < 3",
            timeout=HEARD_MS,
        )
    finally:
        for c in contexts:
            c.close()
