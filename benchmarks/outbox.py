"""Benchmark: the outbox alone, this checkout's beside another's (`--against DIR`), in one
process: microseconds per send that finishes in place (as a relayed message's emit does),
and per send when one waits first (the rest queue behind it).

Run: .venv/bin/python -m benchmarks.outbox [--sends 200000] [--rounds 5] [--against DIR]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.common import ROOT, load


def outbox_of(folder: Path, name: str) -> ModuleType:
    """The outbox module of the checkout in `folder`, loaded under its own name."""
    spec = importlib.util.spec_from_file_location(name, folder / "heartlink_desktop/server/outbox.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def per_send(module: ModuleType, sends: int, waiting: bool) -> float:
    box: Any = module.Outbox()
    box.open()
    sent = 0

    async def send() -> None:
        nonlocal sent
        sent += 1

    gate = asyncio.Event()

    async def first() -> None:
        await gate.wait()

    start = time.perf_counter()
    if waiting:
        box.put(first)
    for _ in range(sends):
        box.put(send)
    if waiting:
        gate.set()
    await box.join()
    took = time.perf_counter() - start
    assert sent == sends
    box.close()
    return took / sends * 1e6


async def run(args: argparse.Namespace, modules: dict[str, ModuleType]) -> None:
    results: dict[tuple[str, bool], list[float]] = {}
    for _ in range(args.rounds):
        for name, module in modules.items():  # interleaved, so the machine's load hits both alike
            for waiting in (False, True):
                results.setdefault((name, waiting), []).append(await per_send(module, args.sends, waiting))
    print("| outbox | µs per send, in place (median of runs) | µs per send, behind one that waits |")
    print("|---|---|---|")
    for name in modules:
        inplace = statistics.median(results[(name, False)])
        queued = statistics.median(results[(name, True)])
        print(f"| {name} | {inplace:.2f} | {queued:.2f} |")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sends", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--against", metavar="DIR", help="also the outbox of the checkout in DIR")
    args = ap.parse_args()
    print(f"outbox: {args.sends:,} sends, {args.rounds} rounds; before: {load()}")
    modules = {"this checkout": outbox_of(ROOT, "outbox_here")}
    if args.against:
        modules[Path(args.against).name] = outbox_of(Path(args.against), "outbox_against")
    asyncio.run(run(args, modules))
    print(f"after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
