"""Who meets whom on the page: the profile's gender and "I'd like to meet", and the words a
person reads while nobody here may meet them yet."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, fill_profile, fits_a_phone, record, sent

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]

DEVICE = re.compile(r"^[A-Za-z0-9_-]{24,}$")
NOBODY_TO_MEET = "Nobody here you can meet yet. You will meet someone as soon as they arrive."


def meet_boxes(page: Page) -> dict[str, bool]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('input[name=meet]')].map(b => [b.value, b.checked]))"
    )


@pytest.mark.parametrize("host_options", [["--max-pairs", "2"]], indirect=True)  # Bob may not meet Alice
def test_the_profile_sends_gender_and_whom_to_meet_fits_a_phone_and_is_remembered(phone: Phone) -> None:
    alice = phone()
    expect(alice.locator("#f-gender option")).to_have_text(["Prefer not to say", "Woman", "Man", "Nonbinary"])
    labels = alice.locator("fieldset.meet label.check")
    expect(labels).to_have_text(["Women", "Men", "Nonbinary people", "Everyone"])
    fits_a_phone(alice)
    for label in labels.all():  # each choice is a thumb's width, on the screen
        box = label.bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]

    fill_profile(alice, "Alice", age=29)
    alice.select_option("#f-gender", "woman")
    alice.check("input[name=meet][value=men]")
    alice.check("input[name=meet][value=nonbinary]")
    alice.check("input[name=meet][value=everyone]")  # "Everyone" clears the groups...
    assert meet_boxes(alice) == {"women": False, "men": False, "nonbinary": False, "everyone": True}
    alice.check("input[name=meet][value=men]")  # ...and a group clears "Everyone"
    alice.check("input[name=meet][value=nonbinary]")
    assert meet_boxes(alice) == {"women": False, "men": True, "nonbinary": True, "everyone": False}
    fits_a_phone(alice)

    alice.reload()  # kept on the device as it was typed
    expect(alice.locator("#screen-profile")).to_be_visible()
    expect(alice.locator("#f-gender")).to_have_value("woman")
    assert meet_boxes(alice) == {"women": False, "men": True, "nonbinary": True, "everyone": False}
    device = alice.evaluate("localStorage.getItem('heartlink.device')")
    assert DEVICE.match(device or ""), device

    record(alice)
    alice.click("#btn-enter")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")  # the host took it
    (payload,) = sent(alice, "join")
    assert payload["profile"]["gender"] == "woman"
    assert payload["profile"]["meet"] == ["men", "nonbinary"]
    assert payload["device"] == device  # the same secret after a reload: made once

    # Prefer not to say, and nothing ticked: both left out (everyone)
    bob = phone()
    fill_profile(bob, "Bob")
    record(bob)
    bob.click("#btn-enter")
    expect(bob.locator("#screen-call")).to_be_visible()
    (payload,) = sent(bob, "join")
    assert "gender" not in payload["profile"] and "meet" not in payload["profile"], payload
    assert DEVICE.match(payload["device"]) and payload["device"] != device  # each device its own
    fits_a_phone(bob)


@pytest.mark.parametrize("host_options", [["--max-pairs", "2"]], indirect=True)
def test_someone_nobody_here_may_meet_reads_why_they_wait(phone: Phone) -> None:
    alice = phone()
    fill_profile(alice, "Alice")
    alice.select_option("#f-gender", "woman")
    alice.check("input[name=meet][value=men]")
    alice.click("#btn-enter")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    expect(alice.locator("#stage-message")).to_have_text("Waiting for someone to join…")

    carol = phone()  # a woman who meets men cannot meet Alice: a conversation of her own
    fill_profile(carol, "Carol")
    carol.select_option("#f-gender", "woman")
    carol.check("input[name=meet][value=men]")
    carol.click("#btn-enter")
    expect(carol.locator("#status")).to_have_text("🟡 Waiting for peer...")
    expect(carol.locator("#stage-message")).to_have_text(NOBODY_TO_MEET)

    bob = phone()  # a man who meets women sits with the one who waited longest: Alice
    fill_profile(bob, "Bob")
    bob.select_option("#f-gender", "man")
    bob.check("input[name=meet][value=women]")
    bob.click("#btn-enter")
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
    expect(alice.locator("#partner-name")).to_have_text("Bob")
    expect(carol.locator("#status")).to_have_text("🟡 Waiting for peer...")
