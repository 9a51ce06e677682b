"""Fixtures for the Chromium tests: one browser per module, a fresh host per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.e2e.browser import HostProcess, chromium, new_phone, open_page


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def host_options(request: pytest.FixtureRequest) -> list[str]:
    """Extra command-line options for the host: parametrize it (indirect) or override it."""
    return list(getattr(request, "param", []))


@pytest.fixture
def host_url(tmp_path: Path, host_options: list[str]) -> Iterator[str]:
    host = HostProcess(tmp_path / "host-data", *host_options)
    host.start()
    try:
        yield host.url
    finally:
        code = host.stop()  # None: still busy after a while, so it was killed
        assert code in (0, None), f"the host exited with {code}:\n" + "".join(host.output)


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
