"""A page that loses its socket (or reloads) comes back into its call within the grace period."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import join, video_time, wait_remote_video

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]


@pytest.fixture
def host_options() -> list[str]:
    return ["--grace-seconds", "20"]


def in_call(phone: Phone) -> tuple[Page, Page]:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    bob = phone()
    join(bob, "Bob")
    for page in (alice, bob):
        wait_remote_video(page)
    return alice, bob


def ice_ufrag(page: Page) -> str:
    sdp = page.evaluate("window.heartlink.pc.remoteDescription.sdp")
    match = re.search(r"^a=ice-ufrag:(\S+)", sdp, re.M)
    assert match
    return match.group(1)


def plays_on(page: Page) -> None:
    wait_remote_video(page)
    t = video_time(page)
    page.wait_for_function("t => document.querySelector('#remote-video').currentTime > t", arg=t + 0.5)


def saw_reconnecting(page: Page, name: str) -> bool:
    return any(
        b["id"] == "banner-peer" and b["text"] == f"{name} is reconnecting..."
        for b in page.evaluate("window.heartlink.banners()")
    )


def test_a_dropped_socket_comes_back_into_its_call(phone: Phone) -> None:
    alice, bob = in_call(phone)
    old_sid = alice.evaluate("window.heartlink.socket.id")
    bob_ufrag = ice_ufrag(bob)

    alice.evaluate("window.heartlink.socket.io.engine.close()")

    alice.wait_for_function(
        "old => window.heartlink.socket.connected && window.heartlink.socket.id !== old", arg=old_sid
    )
    bob.wait_for_function("() => window.heartlink.banners().some(b => b.id === 'banner-peer')")
    assert saw_reconnecting(bob, "Alice")
    assert any(b["id"] == "banner-connection" for b in alice.evaluate("window.heartlink.banners()"))
    # the one who came back offered again (an ICE restart): Bob answered a new negotiation
    bob.wait_for_function(
        "old => !window.heartlink.pc.remoteDescription.sdp.includes('a=ice-ufrag:' + old)", arg=bob_ufrag
    )
    expect(bob.locator("#banner-peer")).to_be_hidden()
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
        expect(page.locator("#screen-call")).to_be_visible()
        plays_on(page)
    # the conversation goes on with the new socket
    alice.fill("#say", "Back again")
    alice.press("#say", "Enter")
    expect(bob.locator("#transcript li.line-peer").last).to_have_text("Alice: Back again")


def test_a_reloaded_page_takes_its_slot_and_call_back(phone: Phone) -> None:
    alice, bob = in_call(phone)
    bob.fill("#say", "Before the reload")
    bob.press("#say", "Enter")
    expect(alice.locator("#transcript li.line-peer")).to_have_text("Bob: Before the reload")

    alice.reload()

    expect(alice.locator("#screen-call")).to_be_visible()
    expect(alice.locator("#status")).to_have_text("🟢 Connected")
    expect(alice.locator("#partner-name")).to_have_text("Bob")
    expect(alice.locator("#transcript li.line-peer")).to_have_text("Bob: Before the reload")
    assert saw_reconnecting(bob, "Alice")
    for page in (alice, bob):
        plays_on(page)
    expect(bob.locator("#banner-peer")).to_be_hidden()
