"""What the benchmarks share: a HeartLink host in this process (headless on asyncio, or in its
window on the Qt loop, offscreen), the Node reference relay, the Node load, loop counters.

Everything listens on 127.0.0.1 only. The load runs in a Node process (socket.io-client 4),
so the host's process does nothing but host.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A variant's child process runs HeartLink from another checkout (Variant.code): its package
# comes first on the path, before this checkout's (the benchmarks stay this checkout's).
if os.environ.get("HEARTLINK_CODE"):
    sys.path.insert(0, os.environ["HEARTLINK_CODE"])

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
QUIET = {"silence_seconds": 3600.0, "turns_without_ai": 100_000}  # no facilitator lines


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


@dataclass
class Target:
    name: str
    url: str
    token: str
    ca: Path
    host: Any = None  # the HostServer when it is HeartLink


@dataclass(frozen=True)
class Variant:
    """One way of running HeartLink in a benchmark: this checkout's code or another's
    (`--against DIR`), on the fast internals or with `--plain-io` (`--plain`)."""

    label: str
    code: str | None = None
    plain: bool = False

    def argv(self) -> list[str]:
        return ["--plain"] if self.plain else []

    def env(self) -> dict[str, str] | None:
        return {**os.environ, "HEARTLINK_CODE": self.code} if self.code else None


def variant_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--against", metavar="DIR", help="also run HeartLink from the checkout in DIR")
    ap.add_argument("--plain", action="store_true", help="also run HeartLink with --plain-io")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each HeartLink variant, interleaved")


def variants(args: argparse.Namespace) -> list[Variant]:
    found = [Variant("")]
    if args.against:
        found.append(Variant(f" ({Path(args.against).name})", str(Path(args.against).resolve())))
    if args.plain:
        found.append(Variant(" --plain-io", plain=True))
    return found


def median_run(runs: list[dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> dict[str, Any]:
    """The run whose figure `key` is the median (the lower one of an even number)."""
    ordered = sorted(runs, key=key)
    return ordered[(len(ordered) - 1) // 2]


@asynccontextmanager
async def heartlink(
    window: bool, data_dir: Path, *, plain: bool = False, **settings: Any
) -> AsyncIterator[Target]:
    """A HeartLink host on this process's running loop (a qasync loop for the window)."""
    from heartlink_desktop.app import build_host
    from heartlink_desktop.paths import Paths
    from heartlink_desktop.settings import Settings

    opts = {"host": "127.0.0.1", "port": 0, "grace_seconds": 0, **settings}
    if plain:
        opts["plain_io"] = True  # only then: a checkout from before the switch has no such setting
    paths = Paths(data_dir)
    if not window:
        host = build_host(Settings(**opts).validate(), paths)
        await host.start()
        try:
            yield Target(
                "HeartLink headless",
                f"https://127.0.0.1:{host.port}",
                host.token,
                data_dir / "certs" / "ca.crt",
                host,
            )
        finally:
            await host.stop()
        return
    from heartlink_desktop.gui.main import run_window

    shown: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(
        run_window(Settings(**opts).validate(), paths, build_host, ready=shown.set_result)
    )
    w = await asyncio.wait_for(shown, 30)
    while not w.bridge.running:
        await asyncio.sleep(0.02)
    host = w.bridge.host
    try:
        yield Target(
            "HeartLink window",
            f"https://127.0.0.1:{host.port}",
            host.token,
            data_dir / "certs" / "ca.crt",
            host,
        )
    finally:
        w.close()
        await asyncio.wait_for(task, 60)


@asynccontextmanager
async def reference(tmp: Path) -> AsyncIterator[Target]:
    """The Node socket.io 4 relay of benchmarks/reference.mjs, on a certificate of our own CA."""
    from heartlink_desktop import tls

    certs = tmp / "ref-certs"
    certs.mkdir(mode=0o700, exist_ok=True)
    status = tls.ensure_certificates(certs, ["127.0.0.1"], datetime.now(UTC))
    proc = await asyncio.create_subprocess_exec(
        node(),
        str(HERE / "reference.mjs"),
        str(status.cert_file),
        str(status.key_file),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    port = int(line.split()[1])
    try:
        yield Target("Node socket.io 4 (reference)", f"https://127.0.0.1:{port}", "", status.ca_file)
    finally:
        proc.terminate()
        await proc.wait()


def node() -> str:
    found = shutil.which("node")
    if found is None:
        sys.exit("node is needed for the load (Node.js 20 or newer)")
    return found


async def run_load(
    target: Target, mode: str, on_line: Callable[[str], None] | None = None, **cfg: Any
) -> dict[str, Any]:
    """Run benchmarks/load.mjs against a target; its progress lines go to `on_line`."""
    args = {"url": target.url, "token": target.token, "ca": str(target.ca), "mode": mode, **cfg}
    proc = await asyncio.create_subprocess_exec(
        node(),
        str(HERE / "load.mjs"),
        json.dumps(args),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    result: dict[str, Any] | None = None
    while line := (await proc.stdout.readline()).decode():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        elif on_line is not None:
            on_line(line.rstrip())
    err = (await proc.stderr.read()).decode()
    await proc.wait()
    if result is None:
        raise RuntimeError(f"the load failed: {err[-2000:]}")
    return result


class LoopCounter:
    """Counts the loop's callbacks: every asyncio Handle run (on asyncio or qasync), plus
    those the window's loop runs itself (`BatchedLoop.ran`). Enter it on the running loop."""

    def __init__(self) -> None:
        self.runs = 0
        self._orig: Any = None
        self._loop: Any = None
        self._ran = 0

    @property
    def count(self) -> int:
        return self.runs + getattr(self._loop, "ran", 0) - self._ran

    def __enter__(self) -> LoopCounter:
        import asyncio.events as events

        self._loop = asyncio.get_running_loop()
        self._ran = getattr(self._loop, "ran", 0)
        self._orig = orig = events.Handle._run
        counter = self

        def run(handle: Any) -> None:
            counter.runs += 1
            orig(handle)

        events.Handle._run = run  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        import asyncio.events as events

        self._ran -= getattr(self._loop, "ran", 0)  # frozen: count stays what it was here
        self._loop = None
        events.Handle._run = self._orig  # type: ignore[method-assign]


class LagProbe:
    """The loop's lag: how late a 10 ms sleep wakes up, sampled while `recording` is on."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.samples: list[float] = []
        self.recording = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(self.period)
            if self.recording:
                self.samples.append((time.perf_counter() - t - self.period) * 1000)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def run_on(window: bool, main: Callable[[], Awaitable[Any]], *, plain: bool = False) -> Any:
    """Run a coroutine on asyncio's loop (headless) or on the Qt loop the window uses (with
    `plain`, the one it uses with --plain-io)."""
    if not window:
        return asyncio.run(main())  # type: ignore[arg-type]
    from PySide6.QtWidgets import QApplication

    from heartlink_desktop.gui.loop import new_loop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    make = (lambda: new_loop(app, plain=True)) if plain else (lambda: new_loop(app))
    return asyncio.run(main(), loop_factory=make)  # type: ignore[arg-type]


def tmpdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="heartlink-bench-")


def emit(mode: dict[str, Any]) -> None:
    """What a `--one` run prints for `in_process` to read: one RESULT line of JSON."""
    print("RESULT " + json.dumps(mode), flush=True)


def in_process(argv: list[str], timeout: float, variant: Variant | None = None) -> dict[str, Any] | None:
    """Run one mode of a benchmark in a fresh interpreter (with a variant's code and switch);
    its RESULT, or None (said why)."""
    if variant is not None:
        argv = [*argv, *variant.argv()]
    env = variant.env() if variant is not None else None
    for attempt in (1, 2):  # on a loaded machine a run may fail (a ping not answered in time): once more
        out = subprocess.run(
            [sys.executable, *argv], capture_output=True, text=True, timeout=timeout, env=env
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is not None:
            break
        print(f"{' '.join(argv)} failed (attempt {attempt}):\n{out.stderr[-3000:]}")
    else:
        return None
    found: dict[str, Any] = json.loads(line[len("RESULT ") :])
    return found
