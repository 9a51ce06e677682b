"""The peer page in a second engine: Debian's Firefox ESR (Gecko), driven by Selenium over
WebDriver BiDi, against the real host; calls with Chromium and with Firefox, speech, layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import speech
from tests.e2e.browser import OVERFLOW, PHONE, REMOTE_PLAYS, join, wait_remote_video
from tests.e2e.firefox import FirefoxPhone, PulseAudio

pytestmark = pytest.mark.e2e

Firefox = Callable[..., FirefoxPhone]
Phone = Callable[[], Page]

KEYS = ["sisters", "beach", "weekend"]
HEARD_MS = 60_000  # the first line: a worker's model load and the first sentence
SOUND_MS = 10_000  # speech runs, or the page says it does not (3 s after it could not start)
NOT_RUNNING = "Speech to text is not running"


def fits_a_phone(ff: FirefoxPhone, screen: str) -> None:
    ff.wait(f"!document.querySelector('#screen-{screen}').hidden", f"the {screen} screen")
    out = ff.js(OVERFLOW)
    assert out["inner"] == PHONE["width"], out
    assert out["scroll"] <= out["width"] and not out["wide"], f"the {screen} screen overflows: {out}"


def plays_the_partner(ff: FirefoxPhone) -> None:
    """The big <video> plays the partner's live track, and its clock moves on."""
    ff.wait(f"({REMOTE_PLAYS})()", "the partner's video to play")
    t = ff.js("document.querySelector('#remote-video').currentTime")
    ff.wait(
        "document.querySelector('#remote-video').currentTime > arguments[0]",
        "the video to go on",
        10_000,
        t + 0.5,
    )


def peer_lines(ff: FirefoxPhone) -> list[str]:
    return list(
        ff.js(
            "Array.from(document.querySelectorAll('#transcript li.line-peer .text')).map(e => e.textContent)"
        )
    )


def test_a_firefox_and_a_chromium_page_reach_a_live_call(
    host_url: str, phone: Phone, firefox: Firefox
) -> None:
    fox = firefox()
    fox.open(host_url)
    fox.join("Fiona")
    fox.wait("document.querySelector('#status').textContent.includes('Waiting')", "the waiting status")
    chrome = phone()
    join(chrome, "Carl")
    expect(chrome.locator("#status")).to_have_text("🟢 Connected")
    fox.wait("document.querySelector('#status').textContent === '🟢 Connected'", "Connected")
    wait_remote_video(chrome)
    plays_the_partner(fox)
    assert fox.text("#partner-name") == "Carl"
    expect(chrome.locator("#partner-name")).to_have_text("Fiona")
    assert fox.js("document.querySelector('#local-video').muted")
    # a typed line each way, as text
    fox.fill("#say", "Hello from <b>Firefox</b>")
    fox.click("#btn-send")
    expect(chrome.locator("#transcript li.line-peer .text")).to_have_text("Hello from <b>Firefox</b>")
    chrome.fill("#say", "Hi from Chromium")
    chrome.press("#say", "Enter")
    fox.wait("document.querySelector('#transcript li.line-peer')", "Carl's line")
    assert peer_lines(fox) == ["Hi from Chromium"]


def test_two_firefox_pages_reach_a_live_call_and_fit_a_phone(host_url: str, firefox: Firefox) -> None:
    alice, bob = firefox(), firefox()
    for ff in (alice, bob):
        ff.open(host_url)
        fits_a_phone(ff, "profile")
    alice.join("Alice")
    bob.join("Bob")
    for ff in (alice, bob):
        plays_the_partner(ff)
        assert ff.js("window.heartlink.pc.getConfiguration().iceServers.length") == 0
        fits_a_phone(ff, "call")
    assert alice.text("#partner-name") == "Bob" and bob.text("#partner-name") == "Alice"
    bob.click("#btn-report")  # Leave and report: the sheet over the call fits too
    bob.wait("!document.querySelector('#report-sheet').hidden", "the report sheet")
    fits_a_phone(bob, "call")
    bob.click("#report-reasons input[value=inappropriate]")
    bob.click("#btn-report-send")
    bob.wait(
        "!document.querySelector('#ended-report').hidden && !!(window.heartlink.report || {}).confirmed",
        "the host's word",
    )
    assert bob.text("#ended-report") == "The host was told. You and Alice will not be paired again."
    alice.wait("!document.querySelector('#screen-ended').hidden", "the ended screen")
    assert alice.text("#ended-reason") == "Bob ended the conversation."  # as any leave
    for ff in (alice, bob):
        fits_a_phone(ff, "ended")


def test_speech_from_a_firefox_page_reaches_the_partners_transcript(
    host_url: str, phone: Phone, pulse: PulseAudio, firefox: Firefox, tmp_path: Path
) -> None:
    # Firefox hears the sentences played into the null sink; Chromium (its fake microphone
    # beeping) runs beside the PulseAudio daemon without finding it
    wav = speech.wav(KEYS, tmp_path / "speech.wav")
    fox = firefox(env=pulse.env, prefs=PulseAudio.MICROPHONE)
    fox.open(host_url)
    fox.join("Fiona")
    chrome = phone()
    join(chrome, "Carl")
    fox.wait("window.heartlink.speech.running", "Firefox's speech to text to run", SOUND_MS)
    assert fox.js("window.heartlink.localStream.getAudioTracks()[0].label") == "Monitor of Speech"
    assert "host computer in this room" in fox.text("#stt-note")
    assert fox.js("document.querySelector('#stt').checked")
    player = pulse.play(wav)
    chrome.wait_for_function(
        "() => document.querySelectorAll('#transcript li.line-peer').length > 0", timeout=HEARD_MS
    )
    assert player.wait(timeout=HEARD_MS / 1000) == 0
    lines = chrome.locator("#transcript li.line-peer .text").all_text_contents()
    assert all(line.strip() for line in lines), lines
    # words of the sentences (the host's engine gets some), not a tone's "ah": which words it
    # gets is the engine's business, and it may change
    said = set().union(*(speech.words(speech.SENTENCES[key][0]) for key in KEYS))
    assert said & set().union(*(speech.words(line) for line in lines)), lines
    assert fox.js("window.heartlink.speech.chunks") > 0
    chrome.wait_for_function("() => window.heartlink.speech.chunks > 0", timeout=HEARD_MS)


def test_firefox_with_no_sound_output_says_speech_is_not_running(host_url: str, firefox: Firefox) -> None:
    fox = firefox()  # no PulseAudio: Firefox has no audio output, its AudioContext stays suspended
    fox.open(host_url)
    fox.join("Fiona")
    fox.wait(
        "document.querySelector('#stt-note').textContent.includes(arguments[0])",
        "the note that speech to text is not running",
        SOUND_MS,
        NOT_RUNNING,
    )
    assert fox.js("window.heartlink.speech.audio") == "suspended"
    assert fox.js("window.heartlink.speech.running") is False
    assert not fox.js("document.querySelector('#stt').checked")
    assert "host computer in this room" not in fox.text("#stt-note")


def test_firefox_without_webrtc_says_which_browsers_work(host_url: str, firefox: Firefox) -> None:
    fox = firefox(prefs={"media.peerconnection.enabled": False})  # as a browser built without it
    fox.driver.get(host_url)
    fox.wait("!document.querySelector('#screen-problem').hidden", "the problem screen")
    assert fox.js("typeof window.RTCPeerConnection") == "undefined"
    assert fox.text("#problem-text") == "This browser cannot make video calls."
    steps = fox.text("#problem-steps")
    for name in ("Safari", "Chrome", "Firefox"):
        assert name in steps, steps
    fits_a_phone(fox, "problem")


def test_an_engine_without_audioworklet_says_to_type_instead(host_url: str, firefox: Firefox) -> None:
    fox = firefox()
    fox.preload("Object.defineProperty(window, 'AudioWorkletNode', {value: undefined});")
    fox.open(host_url)
    fox.join("Fiona")
    note = fox.wait(
        "document.querySelector('#stt-note').textContent.includes('cannot send your voice')"
        " && document.querySelector('#stt-note').textContent",
        "the note that this browser cannot send its voice",
    )
    assert "Type your messages instead" in note and "Firefox" in note, note
    assert not fox.js("document.querySelector('#stt').checked")
    assert fox.text("#status") == "🟡 Waiting for peer..."  # the page works on without it


# The page's worklet in an offline context at `rate` (iPhones run at 44.1 or 48 kHz): a 440 Hz
# tone for one second; its frames are gathered in `window.resampled` as they come.
RESAMPLE = """async (rate) => {
  const ctx = new OfflineAudioContext(1, rate, rate);
  await ctx.audioWorklet.addModule('/static/speech-worklet.js');
  const node = new AudioWorkletNode(ctx, 'heartlink-pcm', {numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1});
  window.resampled = {rate: ctx.sampleRate, frames: []};
  node.port.onmessage = (e) => window.resampled.frames.push(new Int16Array(e.data.pcm));
  const tone = new OscillatorNode(ctx, {frequency: 440});
  tone.connect(new GainNode(ctx, {gain: 0.5})).connect(node).connect(ctx.destination);
  tone.start();
  await ctx.startRendering();
}"""
PITCH = """(() => {
  const {rate, frames} = window.resampled;
  let crossings = 0, prev = 0;
  for (const f of frames) for (const s of f) { if ((s >= 0) !== (prev >= 0)) crossings++; prev = s; }
  return {rate, frames: frames.length, sizes: [...new Set(frames.map((f) => f.length))], hz: crossings / 2};
})()"""


@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_the_speech_worklet_makes_16_khz_from_a_phones_rate(
    firefox: Firefox, host_url: str, rate: int
) -> None:
    fox = firefox()
    fox.open(host_url)
    fox.driver.execute_script(f"return ({RESAMPLE})(arguments[0]);", rate)
    # one second is 50 frames of 20 ms (the last may still be filling)
    fox.wait("window.resampled.frames.length >= 49", "the worklet's frames")
    out = fox.js(PITCH)
    assert out["rate"] == rate
    assert out["sizes"] == [320]
    assert abs(out["hz"] - 440) < 10, out  # 16 kHz samples that still carry the tone's pitch
