"""Who meets whom on the page: the profile's gender and "I'd like to meet", and the words a
person reads while nobody here may meet them yet."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import OVERFLOW, PHONE, fill_profile, record, sent

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]

DEVICE = re.compile(r"^[A-Za-z0-9_-]{24,}$")
NOBODY_TO_MEET = "Nobody here you can meet yet. You will meet someone as soon as they arrive."


def meet_boxes(page: Page) -> dict[str, bool]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('input[name=meet]')].map(b => [b.value, b.checked]))"
    )


def fits_a_phone(page: Page) -> None:
    out = page.evaluate(OVERFLOW)
    assert out["inner"] == PHONE["width"], out
    assert out["scroll"] <= out["width"] and not out["wide"], f"the page overflows: {out}"


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
