"""Leave and report, and the host's removal, in real Chromium against the real host: the
reporter is told, the reported person never is, and a removed person reads the host's words."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import HostProcess, fill_profile, fits_a_phone, join, received, record, sent

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]

REASONS = ["Made me uncomfortable", "Inappropriate", "Fake profile", "Something else"]
CONFIRMED = "The host was told. You and {} will not be paired again."
NOBODY_TO_MEET = "Nobody here you can meet yet. You will meet someone as soon as they arrive."
REMOVED = "The host has removed you from this event."
# A note is data: markup in it is sent as typed, and it is never cut to fit.
NOTE = 'Said their name was <b>Bob</b> & <img src=x onerror="window.pwned=1"> it is not.'


def pair(phone: Phone) -> tuple[Page, Page]:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    bob = phone()
    join(bob, "Bob")
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
    return alice, bob


def never_told(page: Page) -> None:
    """Nothing this page received, and nothing its ended screen says, speaks of a report."""
    got = received(page)
    assert "report" not in json.dumps(got).lower(), got
    for sel in (
        "#ended-title",
        "#ended-reason",
        "#ended-note",
        "#ended-summary",
        "#again-question",
        "#again-note",
    ):
        assert "report" not in (page.locator(sel).text_content() or "").lower(), sel
    expect(page.locator("#ended-report")).to_be_hidden()


@pytest.mark.parametrize("host_options", [["--max-pairs", "2"]], indirect=True)
def test_leave_and_report_ends_the_call_for_both_and_the_partner_reads_an_ordinary_end(phone: Phone) -> None:
    alice, bob = pair(phone)
    record(alice)
    record(bob)
    expect(bob.locator("#btn-report")).to_have_text("⚑ Leave and report")
    alice.click("#btn-report")
    sheet = alice.locator("#report-sheet")
    expect(sheet).to_be_visible()
    expect(alice.locator("#report-title")).to_have_text("Leave and report")
    expect(alice.locator("#report-reasons label")).to_have_text(REASONS)
    expect(alice.locator("#report-count")).to_have_text("0 / 300")
    fits_a_phone(alice)

    alice.click("#btn-report-send")  # no reason yet: nothing goes
    expect(alice.locator("#report-status")).to_have_text("Choose what happened first.")
    alice.check("#report-reasons input[value=fake]")
    alice.fill("#report-note", "x" * 299 + "é😀")  # 301 characters as the host counts them
    expect(alice.locator("#report-count")).to_have_text("301 / 300: 1 too many. Shorten the note to send it.")
    alice.click("#btn-report-send")
    expect(alice.locator("#report-status")).to_have_text("The note can hold at most 300 characters.")
    assert alice.evaluate("[...document.querySelector('#report-note').value].length") == 301  # never cut
    assert sent(alice, "report") == []
    expect(alice.locator("#status")).to_have_text("🟢 Connected")  # still in the call
    alice.fill("#report-note", NOTE)
    expect(alice.locator("#report-count")).to_have_text(f"{len(NOTE)} / 300")
    alice.click("#btn-report-send")

    expect(sheet).to_be_hidden()
    expect(alice.locator("#screen-ended")).to_be_visible()
    expect(alice.locator("#ended-reason")).to_have_text("You ended the conversation.")
    expect(alice.locator("#ended-report")).to_have_text(CONFIRMED.format("Bob"))
    assert sent(alice, "report") == [{"reason": "fake", "note": NOTE}]
    assert any(e == "report_received" for e, _ in received(alice))
    assert alice.evaluate("window.heartlink.localStream === null && window.heartlink.pc === null")
    assert alice.evaluate("window.pwned === undefined")

    expect(bob.locator("#screen-ended")).to_be_visible()  # the call ended for Bob too, as any leave
    expect(bob.locator("#ended-reason")).to_have_text("Alice ended the conversation.")
    assert bob.evaluate("window.heartlink.pc === null")
    ends = [p for e, p in received(bob) if e == "session_ended"]
    assert [p["reason"] for p in ends] == ["peer_left"], ends
    never_told(bob)
    expect(alice.locator("#again-card")).to_be_hidden()  # no "again?" about someone reported

    # Never paired again: both back, a slot free for each, and each waits alone for someone else.
    for page in (alice, bob):
        page.click("#btn-restart")
        page.click("#btn-enter")
        expect(page.locator("#status")).to_have_text("🟡 Waiting for peer...")
    expect(bob.locator("#stage-message")).to_have_text(NOBODY_TO_MEET)
    never_told(bob)


def test_a_report_from_the_again_card_is_confirmed_and_closes_the_question(phone: Phone) -> None:
    alice, bob = pair(phone)
    record(alice)
    record(bob)
    bob.click("#btn-end")
    expect(alice.locator("#ended-reason")).to_have_text("Bob ended the conversation.")
    expect(alice.locator("#again-question")).to_have_text("Would you like to talk with Bob again?")
    alice.click("#btn-again-report")
    expect(alice.locator("#report-title")).to_have_text("Report Bob")
    fits_a_phone(alice)
    alice.click("#btn-report-cancel")  # Cancel: nothing sent, the question still open
    expect(alice.locator("#report-sheet")).to_be_hidden()
    expect(alice.locator("#btn-again-yes")).to_be_enabled()
    alice.click("#btn-again-report")
    alice.check("#report-reasons input[value=uncomfortable]")
    alice.click("#btn-report-send")
    expect(alice.locator("#ended-report")).to_have_text(CONFIRMED.format("Bob"))
    expect(alice.locator("#again-card")).to_be_hidden()
    assert sent(alice, "report") == [{"reason": "uncomfortable"}]
    expect(bob.locator("#ended-reason")).to_have_text("You ended the conversation.")
    never_told(bob)


@pytest.mark.parametrize("host_options", [["--max-pairs", "2"]], indirect=True)
def test_a_removed_person_reads_the_hosts_words_and_the_page_stops(
    phone: Phone, host_process: HostProcess
) -> None:
    alice, bob = pair(phone)
    host_process.command("remove Alice", "Removed Alice")
    expect(alice.locator("#screen-problem")).to_be_visible()
    expect(alice.locator("#problem-title")).to_have_text("You can't take part in this event")
    expect(alice.locator("#problem-text")).to_have_text(REMOVED)
    expect(alice.locator("#problem-retry")).to_be_hidden()
    expect(alice.locator("#problem-ca")).to_be_hidden()
    assert alice.locator("#screen-problem button:visible, #screen-problem a:visible").count() == 0
    assert alice.evaluate("window.heartlink.removed === true && window.heartlink.localStream === null")
    # no reconnection: the socket is closed and will not try again
    assert alice.evaluate("!window.heartlink.socket.connected && !window.heartlink.socket.active")
    expect(bob.locator("#ended-reason")).to_have_text("Alice ended the conversation.")
    fits_a_phone(alice)

    alice.reload()  # the page again, the same device: refused when it joins
    expect(alice.locator("#screen-profile")).to_be_visible()
    alice.click("#btn-enter")
    expect(alice.locator("#problem-text")).to_have_text(REMOVED)
    carol = phone()  # a new device with the same name, written otherwise: refused too
    fill_profile(carol, "ALICE")
    carol.click("#btn-enter")
    expect(carol.locator("#problem-text")).to_have_text(REMOVED)
    assert carol.evaluate("window.heartlink.removed")
