"""An evening after the host's crash: the pages come back to it by themselves, with no QR code
scanned and nothing pressed, and the evening goes on with them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import HostProcess, fill_profile, free_port, new_phone, open_page

pytestmark = pytest.mark.e2e
NAMES = ("Ann", "Bob", "Cat")
# In a conversation of round 2, or in the lobby during it (not paused, not round 1's break).
IN_ROUND_2 = """() => {
  const state = window.heartlink.state;
  if (state === 'active') return document.querySelector('#round-clock').textContent.startsWith('Round 2 of 2 ');
  const text = document.querySelector('#lobby-text').textContent;
  return state === 'lobby' && /[Rr]ound 2\\b/.test(text) && !text.includes('paused');
}"""
BACK_MS = 45_000  # the host starts again (a few seconds), then each page's next retry (4 s at most)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[HostProcess]:
    # a fixed port: a page reconnects to the address it has, so the host must come back on it
    h = HostProcess(
        tmp_path / "host-data",
        *("--port", str(free_port()), "--rounds", "2", "--round-minutes", "30", "--break-seconds", "600"),
    )
    h.start()
    try:
        yield h
    finally:
        h.stop()


@pytest.fixture
def pages(browser: Browser, host: HostProcess) -> Iterator[dict[str, Page]]:
    contexts: list[BrowserContext] = [new_phone(browser) for _ in NAMES]
    errors: list[str] = []
    for c in contexts:
        c.on("weberror", lambda e: errors.append(f"uncaught: {e.error}"))
    try:
        yield {name: open_page(c, host.url) for name, c in zip(NAMES, contexts, strict=True)}
    finally:
        for c in contexts:
            c.close()
    assert not errors, "the pages had errors:\n" + "\n".join(errors)


def talking(page: Page) -> bool:
    return page.evaluate("window.heartlink.state") == "active"


def test_after_a_crash_mid_round_every_page_returns_by_itself_and_the_next_round_opens(
    host: HostProcess, pages: dict[str, Page]
) -> None:
    for name, page in pages.items():
        fill_profile(page, name)
        page.click("#btn-enter")
        expect(page.locator("#screen-lobby")).to_be_visible()
    host.command("start", "round 1 of 2")
    for page in pages.values():  # two talk, one has a break
        page.wait_for_function("() => ['active', 'lobby'].includes(window.heartlink.state)")
    pair = [n for n, p in pages.items() if talking(p)]
    (rest,) = [n for n in NAMES if n not in pair]
    assert len(pair) == 2, pair
    for name in pair:
        expect(pages[name].locator("#status")).to_have_text("🟢 Connected")
    expect(pages[rest].locator("#lobby-text")).to_have_text(
        "You have a break in round 1. The next round starts in:"
    )
    url = host.url

    host.kill()  # a crash: the round under way dies with it; its pair counts as met
    assert host.start() == url, "the same join link after the restart"

    # Two who have not met (the one on a break and either of the pair) are back: round 2 opens
    # by itself. Every page is in it again: two talk, the third has a break.
    host.wait_line("the evening goes on")
    for page in pages.values():  # not the state it had before the crash: round 2's
        page.wait_for_function(IN_ROUND_2, timeout=BACK_MS)
    now = [n for n, p in pages.items() if talking(p)]
    assert rest in now and len(now) == 2, now
    (partner,) = [n for n in now if n != rest]
    expect(pages[rest].locator("#partner-name")).to_have_text(partner)
    expect(pages[partner].locator("#partner-name")).to_have_text(rest)
    expect(pages[rest].locator("#round-clock")).to_contain_text("Round 2 of 2 · ")
    (third,) = [n for n in pair if n != partner]  # a break, or back after the round opened
    expect(pages[third].locator("#lobby-text")).to_contain_text(re.compile(r"[Rr]ound 2\b"))
