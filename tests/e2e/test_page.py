"""The peer page in real Chromium with fake camera and microphone, against the real host."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import fill_profile, join, new_phone, open_page, video_time, wait_remote_video

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]

# Markup typed by a person must arrive as the same literal text, creating no element.
MARKUP = '<b>bold</b> <img src=x onerror="window.pwned=1"> & <script>window.pwned=2</script> &amp;'


def pair(phone: Phone) -> tuple[Page, Page]:
    alice = phone()
    join(alice, "Alice", age=29, personality="extrovert", hobbies="hiking, jazz")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    bob = phone()
    join(bob, "Bob", age=31, interests="films")
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
    return alice, bob


def keeps_playing(page: Page) -> None:
    """The remote video's clock moves on (the call is live, not a frozen frame)."""
    t = video_time(page)
    page.wait_for_function("t => document.querySelector('#remote-video').currentTime > t", arg=t + 0.5)


def test_two_peers_reach_a_live_call_with_each_others_video(phone: Phone) -> None:
    alice, bob = pair(phone)
    wait_remote_video(alice)
    wait_remote_video(bob)
    keeps_playing(alice)
    keeps_playing(bob)
    expect(alice.locator("#partner-name")).to_have_text("Bob")
    expect(bob.locator("#partner-name")).to_have_text("Alice")
    expect(bob.locator("#partner-line")).to_have_text("29 · extrovert · hiking, jazz")
    for page in (alice, bob):
        expect(page.locator("#stage-message")).to_be_hidden()
        assert page.evaluate("document.querySelector('#local-video').muted")
        assert page.evaluate("window.heartlink.pc.getConfiguration().iceServers.length") == 0


def test_a_broken_video_connection_is_shown_and_restarted(phone: Phone) -> None:
    alice, bob = pair(phone)
    wait_remote_video(alice)
    wait_remote_video(bob)
    bob.evaluate("window.heartlink.pc.close()")  # Bob's side of the connection is gone
    alice.wait_for_function(
        "() => window.heartlink.banners().some(b => b.id === 'banner-media' && b.text.includes('interrupted'))",
        timeout=30_000,
    )
    for page in (alice, bob):  # an ICE restart offer; Bob answers it on a new connection
        wait_remote_video(page, timeout_ms=30_000)
        keeps_playing(page)
    expect(alice.locator("#banner-media")).to_be_hidden()


def test_a_third_person_is_told_the_room_is_full_and_the_call_goes_on(phone: Phone) -> None:
    alice, bob = pair(phone)
    wait_remote_video(alice)
    wait_remote_video(bob)
    carol = phone()
    fill_profile(carol, "Carol")
    carol.click("#btn-enter")
    expect(carol.locator("#profile-notice")).to_contain_text("Matchmaking room is full")
    expect(carol.locator("#screen-profile")).to_be_visible()
    expect(carol.locator("#f-name")).to_have_value("Carol")
    assert carol.evaluate("window.heartlink.localStream === null")  # the camera is let go
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_text("🟢 Connected")
        keeps_playing(page)


def test_a_typed_line_reaches_the_other_page_as_literal_text(phone: Phone) -> None:
    alice, bob = pair(phone)
    alice.fill("#say", MARKUP)
    alice.press("#say", "Enter")
    line = bob.locator("#transcript li.line-peer").last
    expect(line).to_have_text(f"Alice: {MARKUP}")
    assert line.locator(".text").evaluate("e => e.textContent") == MARKUP
    assert line.locator(".text").evaluate("e => e.childElementCount") == 0
    assert bob.locator("#transcript b, #transcript img, #transcript script").count() == 0
    assert bob.evaluate("window.pwned === undefined")
    expect(alice.locator("#say")).to_have_value("")
    expect(alice.locator("#transcript li.line-mine .text")).to_have_text(MARKUP)
    bob.fill("#say", "Hi Alice")
    bob.click("#btn-send")
    expect(alice.locator("#transcript li.line-peer")).to_have_text("Bob: Hi Alice")
    assert alice.evaluate("window.pwned === undefined")


def test_ending_the_call_on_one_page_shows_the_ended_screen_on_the_other(phone: Phone) -> None:
    alice, bob = pair(phone)
    wait_remote_video(bob)
    alice.click("#btn-end")
    expect(alice.locator("#screen-ended")).to_be_visible()
    expect(alice.locator("#ended-reason")).to_have_text("You ended the conversation.")
    expect(bob.locator("#screen-ended")).to_be_visible()
    expect(bob.locator("#ended-reason")).to_have_text("Alice ended the conversation.")
    for page in (alice, bob):
        assert page.evaluate("window.heartlink.localStream === null && window.heartlink.pc === null")
    bob.click("#btn-restart")
    expect(bob.locator("#screen-profile")).to_be_visible()
    expect(bob.locator("#f-name")).to_have_value("Bob")


def test_a_person_waiting_alone_can_leave_and_join_again_by_keyboard(phone: Phone) -> None:
    alice = phone()
    join(alice, "Alice")
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    expect(alice.locator("#btn-end")).to_have_text("✖ Leave")
    alice.focus("#btn-end")  # by keyboard alone, as on a desktop
    alice.keyboard.press("Enter")
    expect(alice.locator("#screen-profile")).to_be_visible()
    alice.focus("#f-name")
    alice.keyboard.press("Enter")  # Enter in the form joins
    expect(alice.locator("#screen-call")).to_be_visible()
    expect(alice.locator("#status")).to_have_text("🟡 Waiting for peer...")
    bob = phone()
    join(bob, "Bob")
    expect(alice.locator("#status")).to_have_text("🟢 Connected")
    wait_remote_video(alice)


@pytest.mark.parametrize("host_options", [["--turns-without-ai", "1"]], indirect=True)
def test_the_facilitators_lines_show_as_a_card_and_in_the_transcript(phone: Phone) -> None:
    alice, bob = pair(phone)
    alice.fill("#say", "We both like walking by the river.")
    alice.press("#say", "Enter")
    texts = []
    for page in (alice, bob):
        expect(page.locator("#ai-card")).to_be_visible()
        text = page.locator("#ai-text").text_content() or ""
        assert text.strip()
        expect(page.locator("#transcript li.line-ai").last).to_have_text(f"HeartLink: {text}")
        texts.append(text)
    assert texts[0] == texts[1]
    bob.click("#ai-close")
    expect(bob.locator("#ai-card")).to_be_hidden()


def test_speech_toggles_are_offered_only_where_the_browser_has_the_apis(
    browser: Browser, host_url: str, phone: Phone
) -> None:
    page = phone()
    expect(page.locator("#stt-wrap")).to_have_js_property("hidden", False)
    expect(page.locator("#tts-wrap")).to_have_js_property("hidden", False)
    context = new_phone(browser)
    try:
        context.add_init_script(
            "for (const k of ['SpeechRecognition', 'webkitSpeechRecognition', 'speechSynthesis',"
            " 'SpeechSynthesisUtterance']) Object.defineProperty(window, k, {value: undefined});"
        )
        bare = open_page(context, host_url)
        expect(bare.locator("#stt-wrap")).to_have_js_property("hidden", True)
        expect(bare.locator("#tts-wrap")).to_have_js_property("hidden", True)
        join(bare, "Fay")  # the page still works without them
        expect(bare.locator("#status")).to_have_text("🟡 Waiting for peer...")
    finally:
        context.close()


def test_the_profile_survives_a_reload(phone: Phone) -> None:
    page = phone()
    fill_profile(
        page,
        "Dana",
        age=34,
        personality="ambivert",
        hobbies="climbing, chess",
        interests="poetry",
        goal="Someone to laugh with",
        spice=3,
    )
    page.reload()
    expect(page.locator("#screen-profile")).to_be_visible()
    expect(page.locator("#f-name")).to_have_value("Dana")
    expect(page.locator("#f-age")).to_have_value("34")
    expect(page.locator("#f-personality")).to_have_value("ambivert")
    expect(page.locator("#f-hobbies")).to_have_value("climbing, chess")
    expect(page.locator("#f-interests")).to_have_value("poetry")
    expect(page.locator("#f-goal")).to_have_value("Someone to laugh with")
    expect(page.locator("#spice-3")).to_be_checked()


def test_a_wrong_link_says_what_to_do(browser: Browser, host_url: str) -> None:
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(host_url.split("?", 1)[0] + "?t=not-the-token")
        expect(page.locator("#screen-problem")).to_be_visible()
        expect(page.locator("#problem-text")).to_contain_text("not valid")
        page.goto(host_url.split("?", 1)[0])
        expect(page.locator("#problem-text")).to_contain_text("QR code")
    finally:
        context.close()


def test_without_a_camera_api_the_page_says_why_and_how(browser: Browser, host_url: str) -> None:
    context = new_phone(browser)
    try:
        # what a phone shows when the certificate was not accepted the way the camera needs
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'mediaDevices', {get: () => undefined})"
        )
        page = context.new_page()
        page.goto(host_url)
        expect(page.locator("#screen-problem")).to_be_visible()
        expect(page.locator("#problem-text")).to_contain_text("camera")
        expect(page.locator("#problem-steps")).to_contain_text("certificate")
        expect(page.locator("#problem-ca")).to_be_visible()
        expect(page.locator("#problem-ca")).to_have_attribute("href", "/ca.crt")
    finally:
        context.close()


def test_the_test_hook_is_there_only_when_the_tests_ask_for_it(browser: Browser, host_url: str) -> None:
    plain = new_phone(browser, test_hook=False)  # as a phone opens it: no init script
    hooked = new_phone(browser)
    try:
        page = open_page(plain, host_url)
        assert page.evaluate("window.heartlink === undefined")
        join(page, "Gus")  # and the page works as ever
        expect(page.locator("#status")).to_have_text("🟡 Waiting for peer...")
        assert page.evaluate("window.heartlink === undefined")
        assert page.evaluate("document.body.dataset.state") == "waiting"
        tested = open_page(hooked, host_url)
        assert tested.evaluate("typeof window.heartlink") == "object"
        assert tested.evaluate("window.heartlink.state") == "profile"
        assert tested.evaluate("Object.isFrozen(window.heartlink)")
    finally:
        plain.close()
        hooked.close()


# A fresh copy of the state module (its own URL), walked through the moves of one conversation.
MOVES = """async () => {
  const m = await import('/static/state.js?walk');
  const P = m.PAGE;
  const seen = [m.S.state];
  for (const next of [P.PROFILE, P.JOINING, P.QUEUED, P.WAITING, P.ACTIVE, P.LEFT, P.ENDED, P.PROFILE]) {
    m.go(next);
    seen.push(m.S.state);
  }
  const refused = [];
  for (const next of [P.ENDED, P.LEFT, P.QUEUED, 'nowhere']) {
    try { m.go(next); } catch (e) { refused.push(String(e.message)); }
  }
  try { m.S.state = P.ACTIVE; } catch { /* strict code throws; either way it stays */ }
  return {seen, refused, state: m.S.state};
}"""


def test_the_page_state_moves_only_as_its_table_allows(phone: Phone) -> None:
    page = phone()
    out = page.evaluate(MOVES)
    assert out["seen"] == [
        "loading",
        "profile",
        "joining",
        "queued",
        "waiting",
        "active",
        "left",
        "ended",
        "profile",
    ]
    assert out["refused"] == [
        "page state: profile -> ended is not a move",
        "page state: profile -> left is not a move",
        "page state: profile -> queued is not a move",
        'page state: no state "nowhere"',
    ]
    assert out["state"] == "profile"  # the field has no setter: only go() moves it
