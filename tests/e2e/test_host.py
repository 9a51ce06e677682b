"""The host's own buttons as the pages see them: End for one conversation, Reset for all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import ThreadHost, join, new_phone, open_page, wait_remote_video

pytestmark = pytest.mark.e2e


@pytest.fixture
def host(tmp_path: Path) -> Iterator[ThreadHost]:
    h = ThreadHost(tmp_path / "host-data")
    h.start()
    try:
        yield h
    finally:
        h.stop()


@pytest.fixture
def pages(browser: Browser, host: ThreadHost) -> Iterator[tuple[Page, Page]]:
    contexts: list[BrowserContext] = [new_phone(browser), new_phone(browser)]
    try:
        yield open_page(contexts[0], host.url), open_page(contexts[1], host.url)
    finally:
        for c in contexts:
            c.close()


def pair(alice: Page, bob: Page) -> None:
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    join(bob, "Bob")
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
    wait_remote_video(alice)


def test_the_hosts_end_and_reset_are_explained_and_an_old_link_says_so(
    host: ThreadHost, pages: tuple[Page, Page]
) -> None:
    alice, bob = pages
    pair(alice, bob)

    async def end_the_only_session() -> bool:
        assert host.host is not None
        return await host.host.end_session(host.host.rooms.sessions[0].session_id)

    assert host.call(end_the_only_session())
    for page in (alice, bob):
        expect(page.locator("#screen-ended")).to_be_visible()
        expect(page.locator("#ended-reason")).to_have_text("The host ended the conversation.")
        page.click("#btn-restart")
        expect(page.locator("#screen-profile")).to_be_visible()

    pair(alice, bob)  # the same link still works for the next conversation
    assert host.host is not None
    host.call(host.host.reset())
    for page in (alice, bob):
        expect(page.locator("#screen-ended")).to_be_visible()
        expect(page.locator("#ended-reason")).to_have_text(
            "The host started a new round, so every conversation ended."
        )
    alice.click("#btn-restart")  # the reset changed the link: the page says to scan again
    expect(alice.locator("#screen-problem")).to_be_visible()
    expect(alice.locator("#problem-text")).to_contain_text("not valid")
    expect(alice.locator("#problem-steps")).to_contain_text("QR code")
