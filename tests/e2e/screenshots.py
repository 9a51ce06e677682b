"""Phone-size screenshots of the peer page for the docs: `python -m tests.e2e.screenshots`.

Starts a real host and real Chromium with fake camera and microphone, walks two people through
a conversation (with the Leave and report sheet opened and cancelled) and saves
docs/screenshots/page-*.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.browser import (
    ROOT,
    HostProcess,
    fill_profile,
    join,
    launch,
    new_phone,
    open_page,
    wait_remote_video,
)

OUT = ROOT / "docs" / "screenshots"


def shot(page: Page, name: str) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    path = OUT / f"page-{name}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        host = HostProcess(Path(tmp) / "data", "--queue", "--turns-without-ai", "2")
        url = host.start()
        try:
            with sync_playwright() as p:
                browser = launch(p)
                alice = open_page(new_phone(browser), url)
                fill_profile(
                    alice,
                    "Alice",
                    age=29,
                    personality="extrovert",
                    hobbies="hiking, jazz",
                    interests="travel, films",
                    goal="Someone to explore the city with",
                    spice=2,
                )
                alice.select_option("#f-gender", "woman")
                alice.check("input[name=meet][value=men]")
                alice.check("input[name=meet][value=nonbinary]")
                alice.evaluate(
                    "document.querySelector('#profile-form').scrollIntoView()"
                )  # the new fields in view
                shot(alice, "profile")
                alice.click("#btn-enter")
                expect(alice.locator("#screen-call")).to_be_visible()
                expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
                shot(alice, "waiting")
                bob = open_page(new_phone(browser), url)
                join(bob, "Bob", age=31, personality="introvert", hobbies="climbing, chess")
                wait_remote_video(alice)
                wait_remote_video(bob)
                alice.fill("#say", "Hi Bob! I read that you play chess.")
                alice.press("#say", "Enter")
                bob.fill("#say", "I do! Chess and climbing keep me busy.")
                bob.press("#say", "Enter")
                expect(alice.locator("#ai-card")).to_be_visible()  # the facilitator steps in
                shot(alice, "call")
                alice.click("#btn-report")  # the sheet, filled in but not sent
                alice.check("#report-reasons input[value=uncomfortable]")
                alice.fill("#report-note", "Kept asking where I live after I said no.")
                shot(alice, "report")
                alice.click("#btn-report-cancel")
                carol = open_page(new_phone(browser), url)
                join(carol, "Carol")
                expect(carol.locator("#status")).to_have_text("🟡 In line: number 1")
                shot(carol, "queued")
                bob.click("#btn-end")
                expect(alice.locator("#screen-ended")).to_be_visible()
                shot(alice, "ended")
                browser.close()
        finally:
            host.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
