"""The page with the host's room rules: a place in line, and a secret refused after the grace."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import join, wait_remote_video

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]


def pair(phone: Phone) -> tuple[Page, Page]:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    bob = phone()
    join(bob, "Bob")
    expect(bob.locator("#status")).to_have_text("🟢 Connected")
    return alice, bob


@pytest.mark.parametrize("host_options", [["--queue"]], indirect=True)
def test_a_newcomer_sees_its_place_in_line_and_is_seated_when_a_call_ends(phone: Phone) -> None:
    alice, bob = pair(phone)
    carol = phone()
    join(carol, "Carol")
    expect(carol.locator("#status")).to_have_text("🟡 In line: number 1")
    expect(carol.locator("#stage-message")).to_contain_text("You are number 1 in line.")
    expect(carol.locator("#btn-end")).to_have_text("✖ Leave the line")
    dan = phone()
    join(dan, "Dan")
    expect(dan.locator("#status")).to_have_text("🟡 In line: number 2")
    expect(dan.locator("#stage-message")).to_contain_text("1 person is ahead of you.")

    dan.click("#btn-end")  # leaving the line is clean
    expect(dan.locator("#screen-profile")).to_be_visible()

    alice.click("#btn-end")
    expect(bob.locator("#screen-ended")).to_be_visible()
    expect(carol.locator("#status")).to_have_text("🟡 Waiting for peer...")
    erin = phone()
    join(erin, "Erin")
    expect(carol.locator("#status")).to_have_text("🟢 Connected")
    expect(carol.locator("#partner-name")).to_have_text("Erin")
    wait_remote_video(carol)
    wait_remote_video(erin)


@pytest.mark.parametrize("host_options", [["--grace-seconds", "1"]], indirect=True)
def test_coming_back_too_late_says_the_conversation_ended(phone: Phone) -> None:
    alice, bob = pair(phone)
    alice.evaluate(
        "window.heartlink.socket.io.reconnection(false); window.heartlink.socket.io.engine.close()"
    )
    expect(bob.locator("#screen-ended")).to_be_visible()
    expect(bob.locator("#ended-reason")).to_have_text(
        "Alice lost the connection and did not come back in time, so the conversation ended."
    )
    assert any(b["text"] == "Alice is reconnecting..." for b in bob.evaluate("window.heartlink.banners()"))

    alice.evaluate("window.heartlink.socket.connect()")  # presents the secret of an ended session
    expect(alice.locator("#screen-ended")).to_be_visible()
    expect(alice.locator("#ended-reason")).to_have_text(
        "The conversation has ended: your partner waited too long for you to come back."
    )
    alice.wait_for_function("() => window.heartlink.socket.connected")  # again, with the token alone
    assert alice.evaluate("sessionStorage.getItem('heartlink.resume')") is None
    alice.click("#btn-restart")
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")


@pytest.mark.parametrize("host_options", [["--waiting-timeout", "2"]], indirect=True)
def test_waiting_too_long_says_nobody_joined_in_time(phone: Phone) -> None:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    expect(alice.locator("#screen-ended")).to_be_visible()
    expect(alice.locator("#ended-reason")).to_have_text(
        "Nobody joined in time, so the wait ended. You can try again."
    )
    assert alice.evaluate("window.heartlink.localStream === null")  # the camera is let go
