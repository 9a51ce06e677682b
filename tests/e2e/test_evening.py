"""An evening of rounds in real Chromium: four pages, two rounds, private answers, one match."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import ThreadHost, fill_profile, new_phone, open_page, wait_remote_video

pytestmark = pytest.mark.e2e
NAMES = ("Ann", "Bob", "Cat", "Dan")
SHOTS = os.environ.get("HEARTLINK_SHOTS")  # a folder: also save the docs' screenshots there


@pytest.fixture
def host(tmp_path: Path) -> Iterator[ThreadHost]:
    h = ThreadHost(tmp_path / "host-data", rounds=2, round_minutes=30, break_seconds=600)
    h.start()
    try:
        yield h
    finally:
        h.stop()


@pytest.fixture
def pages(browser: Browser, host: ThreadHost) -> Iterator[dict[str, Page]]:
    contexts: list[BrowserContext] = [new_phone(browser) for _ in NAMES]
    try:
        yield {name: open_page(c, host.url) for name, c in zip(NAMES, contexts, strict=True)}
    finally:
        for c in contexts:
            c.close()


def command(host: ThreadHost, name: str) -> str:
    assert host.host is not None and host.host.evening is not None
    return host.call(host.host.evening.command(name))


def partners(pages: dict[str, Page]) -> dict[str, str]:
    out = {}
    for name, page in pages.items():
        expect(page.locator("#screen-call")).to_be_visible()
        expect(page.locator("#status")).to_have_text("🟢 Connected")
        out[name] = page.locator("#partner-name").text_content() or ""
    return out


def test_two_rounds_new_partners_and_the_mutual_match_shown_only_to_the_pair(
    host: ThreadHost, pages: dict[str, Page]
) -> None:
    for name, page in pages.items():
        fill_profile(page, name)
        page.fill("#f-contact", f"{name.lower()}-contact")
        page.click("#btn-enter")
        expect(page.locator("#screen-lobby")).to_be_visible()
        expect(page.locator("#lobby-text")).to_have_text("You're in. Round 1 starts when the host begins.")

    assert "round 1 of 2" in command(host, "start")
    first = partners(pages)
    for page in pages.values():
        expect(page.locator("#round-clock")).to_contain_text("Round 1 of 2 · ")
    ann_partner = first["Ann"]

    command(host, "next")  # the round ends for all at once, with the private question
    for name, page in pages.items():
        expect(page.locator("#screen-ended")).to_be_visible()
        expect(page.locator("#again-question")).to_have_text(
            f"Would you like to talk with {first[name]} again?"
        )
        expect(page.locator("#evening-next")).to_contain_text("Round 2 starts in ")
    if SHOTS:
        pages["Ann"].screenshot(path=str(Path(SHOTS) / "page-again.png"))
    for name, page in pages.items():  # Ann and her partner say yes; the other two say yes and no
        says_yes = name in ("Ann", ann_partner) or name == min(
            n for n in NAMES if n not in ("Ann", ann_partner)
        )
        page.click("#btn-again-yes" if says_yes else "#btn-again-no")
    for name in ("Ann", ann_partner):
        expect(pages[name].locator("#again-note")).to_have_text(
            f"It's mutual: {first[name]} would like to talk again too!"
        )
        expect(pages[name].locator("#matches")).to_contain_text(f"{first[name]}{first[name].lower()}-contact")
    others = [n for n in NAMES if n not in ("Ann", ann_partner)]
    hopeful = min(others)
    expect(pages[hopeful].locator("#again-note")).to_have_text(
        f"Thank you. If {first[hopeful]} would like that too, you will see it here."
    )
    for name in others:
        expect(pages[name].locator("#matches-wrap")).to_be_hidden()

    assert "round 2 of 2" in command(host, "next")
    second = partners(pages)
    assert all(second[n] != first[n] for n in NAMES), "round two brings a new partner to everyone"
    wait_remote_video(pages["Ann"])  # the camera stayed on between the rounds: the new call has video

    command(host, "next")  # the last round ends: the evening is over
    for page in pages.values():
        expect(page.locator("#ended-title")).to_have_text("The evening is over")
        page.click("#btn-again-no")
    for name in ("Ann", ann_partner):
        matches = pages[name].locator("#matches li")
        expect(matches).to_have_count(1)
        expect(matches).to_contain_text(first[name])
    for name in others:
        expect(pages[name].locator("#matches-wrap")).to_be_hidden()
        assert f"{ann_partner.lower()}-contact" not in (pages[name].content())
