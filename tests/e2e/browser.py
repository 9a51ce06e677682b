"""Real Chromium against the real host: the host as a subprocess, pages of phone size."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import socket
import subprocess
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from heartlink_desktop.app import build_host
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.host import HostServer
from heartlink_desktop.settings import Settings
from tests.support import headless_argv

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--allow-loopback-in-peer-connection",
]
PHONE = {"width": 390, "height": 844}
WAIT_MS = 20_000  # the longest any single expected change on a page may take
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

expect.set_options(timeout=WAIT_MS)


class HostProcess:
    """`python -m heartlink_desktop --headless` on 127.0.0.1, port 0; stopped with SIGTERM."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> str:
        cmd = headless_argv(self.data_dir, *self.extra)
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdin=subprocess.PIPE,  # the headless commands (status, start, remove...)
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read, daemon=True).start()
        while True:
            try:
                line = self._lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                self.stop()
                raise RuntimeError("the host did not print its join URL in time") from None
            if line is None:
                raise RuntimeError("the host exited before listening:\n" + "".join(self.output))
            if "Join URL:" in line:
                self.url = loopback(line.split("Join URL:", 1)[1].strip())
                return self.url

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        lines = self._lines  # this run's: a restart reads into a new queue
        for line in self.proc.stdout:
            self.output.append(line)
            lines.put(line)
        lines.put(None)

    def command(self, line: str, answer: str, timeout: float = START_TIMEOUT) -> str:
        """Type `line` on the host's standard input; the first line of output containing
        `answer` that follows (the host may print other news in between)."""
        assert self.proc is not None and self.proc.stdin is not None
        while not self._lines.empty():  # only what follows this command counts
            self._lines.get_nowait()
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.wait_line(answer, timeout)

    def wait_line(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """The next line of output that contains `text`."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"the host never printed {text!r}:\n" + "".join(self.output)) from None
            if line is None:
                raise AssertionError("the host exited:\n" + "".join(self.output))
            if text in line:
                return line

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut: no clean-up at all."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=STOP_TIMEOUT)
        self._lines = queue.Queue()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then the exit code; None when it had to be killed after `timeout`.

        The host may wait for a long-polling request of a page that is already gone before it
        exits (aiohttp gives running handlers up to a minute); these tests do not wait that long.
        """
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            return None


class ThreadHost:
    """The host in this process, on its own asyncio loop in a thread, so a test can press the
    host's buttons (End, Reset) the way the window does."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="e2e-host", daemon=True)
        self.host: HostServer | None = None

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> str:
        self.thread.start()

        async def make() -> HostServer:
            opts = {"host": "127.0.0.1", "port": 0, **self.settings}
            host = build_host(Settings(**opts).validate(), Paths(self.data_dir))
            await host.start()
            return host

        self.host = self.call(make())
        return self.url

    @property
    def url(self) -> str:
        assert self.host is not None
        return loopback(self.host.join_url)

    def stop(self) -> None:
        if self.host is not None:
            try:
                self.call(self.host.stop(), timeout=STOP_TIMEOUT)
            except TimeoutError:
                pass  # a long-polling request of a closed page may hold it; the thread is a daemon
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a host that must come back on the same port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loopback(url: str) -> str:
    """The join URL with its LAN address replaced by 127.0.0.1 (the certificate covers it)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


def launch(p: Playwright, *extra_args: str) -> Browser:
    return p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True)


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """Debian's Chromium with the fake camera and microphone (and `extra_args`), closed after."""
    with sync_playwright() as p:
        b = launch(p, *extra_args)
        try:
            yield b
        finally:
            b.close()


# Set before any of the page's scripts runs: only then does main.js install `window.heartlink`.
TEST_HOOK = "window.HEARTLINK_TEST_HOOK = true;"


def new_phone(browser: Browser, *, test_hook: bool = True) -> BrowserContext:
    """A phone-sized context; its pages get the test hook unless `test_hook` is False."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        ignore_https_errors=True,
        permissions=["camera", "microphone"],
    )
    if test_hook:
        context.add_init_script(TEST_HOOK)
    return context


def open_page(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    expect(page.locator("#screen-profile")).to_be_visible()
    return page


def fill_profile(page: Page, name: str, **fields: Any) -> None:
    page.fill("#f-name", name)
    if "age" in fields:
        page.fill("#f-age", str(fields["age"]))
    if "personality" in fields:
        page.select_option("#f-personality", fields["personality"])
    if "hobbies" in fields:
        page.fill("#f-hobbies", fields["hobbies"])
    if "interests" in fields:
        page.fill("#f-interests", fields["interests"])
    if "goal" in fields:
        page.fill("#f-goal", fields["goal"])
    if "spice" in fields:
        page.click(f"label[for=spice-{fields['spice']}]")


def join(page: Page, name: str, **fields: Any) -> None:
    fill_profile(page, name, **fields)
    page.click("#btn-enter")
    expect(page.locator("#screen-call")).to_be_visible()


# What sticks out sideways: the page scrolls sideways, or a shown element reaches past the edge.
OVERFLOW = """(() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('[hidden]') || !el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5)) wide.push(`${el.tagName}#${el.id}.${el.className}`);
  }
  return {inner: innerWidth, width, scroll: root.scrollWidth, wide};
})()"""


def fits_a_phone(page: Page) -> None:
    """The page as shown now is no wider than the phone: nothing scrolls or sticks out sideways."""
    out = page.evaluate(OVERFLOW)
    assert out["inner"] == PHONE["width"], out
    assert out["scroll"] <= out["width"] and not out["wide"], f"the page overflows: {out}"


REMOTE_PLAYS = """() => {
  const v = document.querySelector('#remote-video');
  const hl = window.heartlink;
  if (!v || !v.srcObject || !hl || !hl.localStream || !hl.pc) return false;
  const track = v.srcObject.getVideoTracks()[0];
  const local = hl.localStream.getTracks().map((t) => t.id);
  const remoteIds = hl.pc.getReceivers().map((r) => r.track && r.track.id);
  return v.videoWidth > 0 && v.currentTime > 0 && !v.paused && !!track && track.readyState === 'live'
    && !local.includes(track.id) && remoteIds.includes(track.id)
    && v.srcObject !== document.querySelector('#local-video').srcObject
    && hl.pc.connectionState === 'connected';
}"""


def wait_remote_video(page: Page, timeout_ms: int = WAIT_MS) -> None:
    """The page's big <video> plays the partner's live track (not this page's own camera)."""
    page.wait_for_function(REMOTE_PLAYS, timeout=timeout_ms)


def video_time(page: Page) -> float:
    return float(page.evaluate("document.querySelector('#remote-video').currentTime"))


# Every Socket.IO event the page sends and receives from now on, by name and first argument
# (binary speech left out), read back with `sent` and `received`.
RECORD = """() => {
  const s = window.heartlink.socket;
  const keep = (list) => (event, ...args) => {
    if (event !== 'audio') list.push([event, JSON.parse(JSON.stringify(args[0] ?? null))]);
  };
  window.__sent = []; window.__got = [];
  s.onAnyOutgoing(keep(window.__sent));
  s.onAny(keep(window.__got));
}"""


def record(page: Page) -> None:
    page.evaluate(RECORD)


def sent(page: Page, event: str) -> list[Any]:
    """The payloads of `event` this page has sent since `record`."""
    return [p for e, p in page.evaluate("window.__sent") if e == event]


def received(page: Page) -> list[tuple[str, Any]]:
    """Every (event, payload) this page has received since `record`."""
    return [(e, p) for e, p in page.evaluate("window.__got")]
