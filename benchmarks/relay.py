"""Benchmark: the signaling relay side by side, in one run, under the same load:
HeartLink headless, HeartLink in its window (Qt offscreen, qasync), and a small Node
socket.io 4 relay (benchmarks/reference.mjs) as the reference.

Load (benchmarks/load.mjs, Node socket.io-client over TLS, loopback): 20 pairs join one after
another (join = emit `join` until `session_info`); every peer floods its partner with ICE
candidates (relays/s); then each pair sends 10 a second for 10 s (paced latency p50/p99).
For HeartLink it also counts the loop's callbacks per relayed message during the flood.

Run: .venv/bin/python -m benchmarks.relay [--pairs 20] [--flood 250] [--paced 10]
Prints figures; asserts nothing. Each server runs in its own process, one after the other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    QUIET,
    LoopCounter,
    emit,
    heartlink,
    in_process,
    load,
    reference,
    run_load,
    run_on,
    tmpdir,
)


async def one(which: str, cfg: dict[str, Any]) -> dict[str, Any]:
    with tmpdir() as tmp:
        if which == "node":
            async with reference(Path(tmp)) as target:
                return await run_load(target, "relay", **cfg)
        async with heartlink(which == "window", Path(tmp), max_pairs=50, **QUIET) as target:
            with LoopCounter() as counter:
                result = await run_load(target, "relay", **cfg)
            result["callbacks"] = counter.count
            return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--flood", type=int, default=250, help="candidates each peer sends in the flood")
    ap.add_argument("--paced", type=float, default=10.0, help="seconds of 10 messages/s per pair")
    ap.add_argument("--one", choices=["headless", "window", "node"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    cfg = {"pairs": args.pairs, "flood": args.flood, "paced_seconds": args.paced}
    if args.one:
        result = run_on(args.one == "window", lambda: one(args.one, cfg))
        emit(result)
        return 0
    print(f"relay: {args.pairs} pairs, flood {args.flood} per peer, paced 10/s per pair for {args.paced:g} s")
    print(f"before: {load()}")
    rows = {}
    for which in ("headless", "window", "node"):
        argv = [
            "-m",
            "benchmarks.relay",
            "--one",
            which,
            "--pairs",
            str(args.pairs),
            "--flood",
            str(args.flood),
            "--paced",
            str(args.paced),
        ]
        found = in_process(argv, 600)
        if found is None:
            return 1
        rows[which] = found
    print(f"after: {load()}")
    names = {
        "headless": "HeartLink headless",
        "window": "HeartLink window (qasync)",
        "node": "Node socket.io 4 (reference)",
    }
    print()
    print("| server | relays/s | paced p50 / p99 ms | join p50 / p99 ms | loop callbacks per relay |")
    print("|---|---|---|---|---|")
    for which, r in rows.items():
        cb = f"{r['callbacks'] / r['flood']:.2f}" if "callbacks" in r else "-"
        print(
            f"| {names[which]} | {r['relays_per_s']:,.0f} | {r['paced']['p50']:.1f} / {r['paced']['p99']:.1f} "
            f"| {r['joins']['p50']:.1f} / {r['joins']['p99']:.1f} | {cb} |"
        )
    h, w, n = rows["headless"], rows["window"], rows["node"]
    print()
    print(f"window / headless relay rate: {w['relays_per_s'] / h['relays_per_s']:.2f} (goal >= 0.8)")
    print(f"headless / Node relay rate: {h['relays_per_s'] / n['relays_per_s']:.2f} (goal >= 0.6)")
    print(
        f"paced p99: headless {h['paced']['p99']:.1f} ms (goal < 5), window {w['paced']['p99']:.1f} ms (goal < 10)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
