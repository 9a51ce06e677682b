"""Benchmark: the window's loop alone, this checkout's beside another's (`--against DIR`), in
one process, offscreen: microseconds per loop turn (`await asyncio.sleep(0)`) and per callback
made ready in batches of 20 (`call_soon`); with `--plain`, qasync's own loop too.

Run: .venv/bin/python -m benchmarks.loop [--turns 20000] [--rounds 5] [--against DIR] [--plain]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import ROOT, load


def loop_of(folder: Path, name: str) -> ModuleType:
    """The gui/loop.py module of the checkout in `folder`, loaded under its own name."""
    spec = importlib.util.spec_from_file_location(name, folder / "heartlink_desktop/gui/loop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def turns(n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    return (time.perf_counter() - start) / n * 1e6


def count_down(left: list[int], done: asyncio.Future[None]) -> None:
    left[0] -= 1
    if left[0] == 0:
        done.set_result(None)


async def batches(n: int, size: int = 20) -> float:
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    for _ in range(n):
        done: asyncio.Future[None] = loop.create_future()
        left = [size]
        for _ in range(size):
            loop.call_soon(count_down, left, done)
        await done
    return (time.perf_counter() - start) / (n * size) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--against", metavar="DIR", help="also the loop of the checkout in DIR")
    ap.add_argument("--plain", action="store_true", help="also qasync's own loop (--plain-io)")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    here = loop_of(ROOT, "loop_here")
    makers: dict[str, Callable[[], Any]] = {"this checkout": lambda: here.new_loop(app)}
    if args.against:
        other = loop_of(Path(args.against), "loop_against")
        makers[Path(args.against).name] = lambda: other.new_loop(app)
    if args.plain:
        makers["qasync (--plain-io)"] = lambda: here.new_loop(app, plain=True)
    print(f"window loop: {args.turns:,} turns, {args.rounds} rounds; before: {load()}")
    found: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for name, make in makers.items():  # interleaved, so the machine's load hits each alike
            a = asyncio.run(turns(args.turns), loop_factory=make)
            b = asyncio.run(batches(args.turns // 10), loop_factory=make)
            found.setdefault(name, []).append((a, b))
    print(f"after: {load()}")
    print("| loop | µs per loop turn (median of runs) | µs per callback, in batches of 20 |")
    print("|---|---|---|")
    for name, runs in found.items():
        print(
            f"| {name} | {statistics.median(r[0] for r in runs):.2f} "
            f"| {statistics.median(r[1] for r in runs):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
