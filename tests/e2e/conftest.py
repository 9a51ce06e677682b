"""Fixtures for the browser tests: one Chromium per module, Firefox phones per test, a fresh host
per test, and a PulseAudio null sink for the Firefox speech test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.e2e.browser import HostProcess, chromium, new_phone, open_page
from tests.e2e.firefox import FirefoxPhone, PulseAudio, phones


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def host_options(request: pytest.FixtureRequest) -> list[str]:
    """Extra command-line options for the host: parametrize it (indirect) or override it."""
    return list(getattr(request, "param", []))


@pytest.fixture
def host_process(tmp_path: Path, host_options: list[str]) -> Iterator[HostProcess]:
    """The headless host for this test; `host_process.command(...)` types on its standard input."""
    host = HostProcess(tmp_path / "host-data", *host_options)
    host.start()
    try:
        yield host
    finally:
        code = host.stop()  # None: still busy after a while, so it was killed
        assert code in (0, None), f"the host exited with {code}:\n" + "".join(host.output)


@pytest.fixture
def host_url(host_process: HostProcess) -> str:
    return host_process.url


@pytest.fixture
def phone(browser: Browser, host_url: str) -> Iterator[Callable[[], Page]]:
    """Opens the join URL in a new phone-sized browser context (one per person)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            errors.append(message.text)

    def make() -> Page:
        context = new_phone(browser)
        contexts.append(context)
        context.on("weberror", lambda e: errors.append(f"uncaught: {e.error}"))
        context.on("console", console)
        return open_page(context, host_url)

    yield make
    for context in contexts:
        context.close()
    assert not errors, "the page had errors:\n" + "\n".join(errors)


@pytest.fixture
def firefox() -> Iterator[Callable[..., FirefoxPhone]]:
    """Starts Firefox phones (one per person): `firefox()`, or `firefox(prefs=..., env=...)`.

    Each is closed after the test, which fails if any of their pages logged an error, threw,
    or broke the CSP.
    """
    with phones() as make:
        yield make


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseAudio]:
    """A PulseAudio daemon with null sinks for this test only: Firefox gets `pulse.env`.

    It has its own HOME and XDG_RUNTIME_DIR, so a Chromium started in the same session never
    finds it (with PulseAudio, Chromium's speech path sent nothing), and it is stopped after.
    """
    daemon = PulseAudio(tmp_path / "pulse")
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()
