"""Speech to text on the host, in real Chromium: fake microphones play real human recordings
(Debian's Asterisk prompts) with silence between."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from heartlink_desktop.speech import whisper
from tests import speech
from tests.e2e.browser import chromium, join

pytestmark = pytest.mark.e2e

Phone = Callable[[], Page]
PROMPTS = ["agent-alreadyon", "vm-intro", "privacy-unident"]
HEARD_MS = 90_000  # the first lines: the page's start, the workers' model load, a pass of the 25 s file


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose fake microphone plays the recordings with silence between, over and over."""
    wav = speech.recording_wav(PROMPTS, tmp_path_factory.mktemp("speech") / "speech.wav")
    with chromium(f"--use-file-for-fake-audio-capture={wav}") as b:
        yield b


LINES_FROM = """(role) => Array.from(document.querySelectorAll('#transcript li'))
  .filter((li) => li.classList.contains(role === 'mine' ? 'line-mine' : 'line-peer'))
  .map((li) => li.querySelector('.text').textContent)"""


WATCH_INTERIM = """() => {
  window.interims = [];
  const el = document.querySelector('#interim');
  new MutationObserver(() => el.textContent && window.interims.push(el.textContent))
    .observe(el, { childList: true, characterData: true, subtree: true });
}"""


def peer_lines(page: Page) -> list[str]:
    return list(page.evaluate(LINES_FROM, "peer"))


def understood(lines: list[str]) -> set[str]:
    """The recordings of which some line holds four words or more (the page may cut one in two
    at a pause)."""
    found = set()
    for name in PROMPTS:
        said = {w for w in speech.normal_words(speech.asterisk_texts()[name]) if len(w) > 3}
        if any(len(said & set(speech.normal_words(line))) >= 4 for line in lines):
            found.add(name)
    return found


def wait_heard(page: Page, count: int, timeout_ms: int = HEARD_MS) -> None:
    page.wait_for_function(
        f"""() => {{
          const lines = ({LINES_FROM})('peer');
          return lines.length >= {count};
        }}""",
        timeout=timeout_ms,
    )


def test_the_partner_reads_what_was_said_and_muting_stops_it(phone: Phone) -> None:
    a = phone()
    a.evaluate(WATCH_INTERIM)
    join(a, "Alice")
    b = phone()
    join(b, "Bob")
    for page in (a, b):
        expect(page.locator("#stt")).to_be_checked()
        expect(page.locator("#stt-note")).to_contain_text("host computer in this room and nowhere else")
    # while Bob speaks, Alice sees his words coming; then they are lines of their own
    wait_heard(a, 3)
    assert any(t.startswith("… Bob: ") for t in a.evaluate("window.interims")), a.evaluate("window.interims")
    assert len(understood(peer_lines(a))) >= 2, peer_lines(a)
    assert b.evaluate("window.heartlink.speech.chunks") > 0
    assert b.evaluate("window.heartlink.speech.running") is True

    # Bob mutes: his page sends nothing more, and Alice gets no new line from him, while
    # Alice (still speaking) keeps reaching Bob for two more sentences
    b.click("#btn-mic")
    expect(b.locator("#btn-mic")).to_have_attribute("aria-pressed", "true")
    b.wait_for_function("() => !window.heartlink.speech.speaking")
    sent = b.evaluate("window.heartlink.speech.chunks")
    before = len(peer_lines(a))
    heard_by_b = len(peer_lines(b))
    wait_heard(b, heard_by_b + 2)
    assert b.evaluate("window.heartlink.speech.chunks") == sent
    assert len(peer_lines(a)) <= before + 1  # at most the utterance that was being recognised
    settled = len(peer_lines(a))
    wait_heard(b, heard_by_b + 3)
    assert len(peer_lines(a)) == settled

    # unmuted, his words come back
    b.click("#btn-mic")
    wait_heard(a, settled + 1)


def test_speech_to_text_can_be_switched_off_on_the_page(phone: Phone) -> None:
    a = phone()
    join(a, "Alice")
    expect(a.locator("#stt")).to_be_checked()  # the host transcribes: on by default
    a.click("#stt")  # while she waits for a partner, nothing is sent yet
    expect(a.locator("#stt")).not_to_be_checked()
    assert a.evaluate("window.heartlink.speech.running") is False
    b = phone()
    join(b, "Bob")
    wait_heard(a, 2)  # Bob's words still reach Alice
    assert a.evaluate("window.heartlink.speech.chunks") == 0
    assert not peer_lines(b)


def test_a_page_cut_off_from_the_host_keeps_at_most_two_seconds_and_drops_the_oldest(phone: Phone) -> None:
    a = phone()
    join(a, "Alice")
    b = phone()
    join(b, "Bob")
    b.wait_for_function("() => window.heartlink.speech.chunks > 0", timeout=HEARD_MS)
    b.evaluate("window.heartlink.socket.disconnect()")  # the socket is gone; Bob keeps talking
    b.wait_for_function("() => window.heartlink.speech.dropped > 0", timeout=HEARD_MS)
    assert b.evaluate("window.heartlink.speech.queued") <= 12  # 10 chunks (2 s) and 2 end marks at most
    sent = b.evaluate("window.heartlink.speech.chunks")
    before = len(peer_lines(a))
    b.evaluate("window.heartlink.socket.connect()")  # back: the slot is reclaimed, the queue goes
    b.wait_for_function(
        f"() => window.heartlink.speech.chunks > {sent} && window.heartlink.speech.queued < 2"
    )
    wait_heard(a, before + 1)  # and Bob's words reach Alice again


@pytest.fixture
def no_whisper_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host process (which inherits the environment) finds no Whisper model."""
    monkeypatch.setenv(whisper.DIR_ENV, str(tmp_path / "no-model"))


def test_when_whisper_cannot_run_the_speech_line_says_why(no_whisper_model: None, phone: Phone) -> None:
    a = phone()
    join(a, "Alice")
    b = phone()
    join(b, "Bob")
    expect(a.locator("#stt-note")).to_contain_text("nowhere else")
    expect(a.locator("#stt-note")).to_contain_text(
        "Whisper cannot run: the Whisper model file model.bin is missing"
    )
    wait_heard(b, 1)  # PocketSphinx still gives lines
