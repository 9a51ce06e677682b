"""Benchmark: 500 pairs joined through the window, then the loop's lag while they talk.

HeartLink in its window (offscreen Qt, the app's loop) with --max-pairs 500; 1,000 peers
(benchmarks/load.mjs, one Node process, TLS, loopback) join one after another, then every
pair says a line after two speaking toggles every `--line-every` seconds for `--talk`
seconds. A probe on the window's loop measures how late a 10 ms sleep wakes (loop lag).

Run: .venv/bin/python -m benchmarks.scale [--pairs 500] [--line-every 5] [--talk 30]
     [--plain] [--against DIR] [--rounds N]
Each run in a process of its own; `--plain`, `--against` and `--rounds` as in
benchmarks.relay (the run shown: the median loop lag p99 while talking).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    LagProbe,
    emit,
    heartlink,
    in_process,
    load,
    median_run,
    pct,
    run_load,
    run_on,
    tmpdir,
    variant_options,
    variants,
)


async def scenario(args: argparse.Namespace) -> dict[str, Any]:
    with tmpdir() as tmp:
        async with heartlink(True, Path(tmp), plain=args.plain, max_pairs=args.pairs) as target:
            probe = LagProbe()
            probe.start()
            joining: list[float] = []
            live: list[int] = []

            def progress(line: str) -> None:
                nonlocal joining
                if line == "TALK_START":
                    joining, probe.samples = probe.samples, []
                    live.append(len(target.host.rooms.sessions))
                elif line == "TALK_END":
                    probe.recording = False
                print(f"  {line}", file=sys.stderr, flush=True)

            probe.recording = True
            result = await run_load(
                target,
                "scale",
                on_line=progress,
                pairs=args.pairs,
                line_every=args.line_every,
                talk_seconds=args.talk,
            )
            await probe.stop()
            result["lag_talking"] = probe.samples
            result["lag_joining"] = joining
            result["sessions"] = live[0] if live else 0
            return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=500)
    ap.add_argument("--line-every", type=float, default=5.0, help="seconds between a pair's lines")
    ap.add_argument("--talk", type=float, default=30.0, help="seconds of talk after all joined")
    variant_options(ap)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        emit(run_on(True, lambda: scenario(args), plain=args.plain))
        return 0
    print(
        f"scale: {args.pairs} pairs through the window, then a line (and two speaking toggles) "
        f"every {args.line_every:g} s per pair for {args.talk:g} s"
    )
    print(f"before: {load()}")
    argv = ["-m", "benchmarks.scale", "--one", "--pairs", str(args.pairs)]
    argv += ["--line-every", str(args.line_every), "--talk", str(args.talk)]
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.rounds):
        for v in variants(args):
            found = in_process(argv, 1800, v)
            if found is None:
                return 1
            runs.setdefault(f"HeartLink window{v.label}", []).append(found)
    print(f"after: {load()}")
    for name, found in runs.items():
        report(name, median_run(found, lambda r: pct(r["lag_talking"], 99)))
    return 0


def report(name: str, r: dict[str, Any]) -> None:
    talk, joined = r["lag_talking"], r["lag_joining"]
    j, j50, j450 = (
        {k: (v if v is not None else float("nan")) for k, v in r[key].items()}
        for key in ("joins", "joins_at_50_live", "joins_at_450_live")
    )
    print()
    print(f"{name}:")
    print(f"pairs live when the talk began: {r['sessions']}; all joined in {r['join_seconds']:.1f} s")
    print(f"join (emit join -> session_info), all: p50 {j['p50']:.1f} ms, p99 {j['p99']:.1f} ms")
    print(
        f"  with 50-59 pairs live: p50 {j50['p50']:.1f} ms, p99 {j50['p99']:.1f} ms (goal p50 < 5); "
        f"with 450-499 live: p50 {j450['p50']:.1f} ms, p99 {j450['p99']:.1f} ms"
    )
    print(
        f"loop lag while joining: p50 {pct(joined, 50):.1f} ms, p99 {pct(joined, 99):.1f} ms, "
        f"max {max(joined, default=0):.1f} ms ({len(joined)} samples)"
    )
    print(
        f"loop lag while talking: p50 {pct(talk, 50):.1f} ms, p99 {pct(talk, 99):.1f} ms, "
        f"max {max(talk, default=0):.1f} ms ({len(talk)} samples; goal p99 < 50)"
    )
    ln = r["lines"]
    print(
        f"a line, A's emit to B's receipt, while talking: p50 {ln['p50']:.0f} ms, p99 {ln['p99']:.0f} ms "
        f"({ln['n']} lines)"
    )


if __name__ == "__main__":
    sys.exit(main())
