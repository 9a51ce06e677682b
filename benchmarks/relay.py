"""Benchmark: the signaling relay side by side, in one run, under the same load:
HeartLink headless, HeartLink in its window (Qt offscreen, qasync), and a small Node
socket.io 4 relay (benchmarks/reference.mjs) as the reference.

Load (benchmarks/load.mjs, Node socket.io-client over TLS, loopback): 20 pairs join one after
another (join = emit `join` until `session_info`); every peer floods its partner with ICE
candidates (relays/s); then each pair sends 10 a second for 10 s (paced latency p50/p99).
For HeartLink it also counts the loop's callbacks per relayed message during the flood, and
the host process's CPU time per relayed message (less swayed by other jobs on the machine
than the rate: it counts only the time this process ran).

Run: .venv/bin/python -m benchmarks.relay [--pairs 20] [--flood 250] [--paced 10]
     [--plain] [--against DIR] [--rounds N]
`--plain` adds HeartLink with --plain-io (the libraries' public paths); `--against DIR` adds
HeartLink from another checkout (before and after a change, in one run); `--rounds N` runs
each HeartLink variant N times, interleaved, shows the run with the median relay rate, and
compares variants run by run (each ratio from two runs next to each other in time).
Prints figures; asserts nothing. Each server runs in its own process, one after the other.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    QUIET,
    LoopCounter,
    Variant,
    emit,
    heartlink,
    in_process,
    load,
    median_run,
    reference,
    run_load,
    run_on,
    tmpdir,
    variant_options,
    variants,
)


async def one(which: str, cfg: dict[str, Any], plain: bool) -> dict[str, Any]:
    with tmpdir() as tmp:
        if which == "node":
            async with reference(Path(tmp)) as target:
                return await run_load(target, "relay", **cfg)
        async with heartlink(which == "window", Path(tmp), plain=plain, max_pairs=50, **QUIET) as target:
            cpu = time.process_time()
            with LoopCounter() as counter:
                result = await run_load(target, "relay", **cfg)
            result["cpu_us"] = (time.process_time() - cpu) * 1e6 / (result["flood"] + result["paced"]["n"])
            result["callbacks"] = counter.count
            return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--flood", type=int, default=250, help="candidates each peer sends in the flood")
    ap.add_argument("--paced", type=float, default=10.0, help="seconds of 10 messages/s per pair")
    variant_options(ap)
    ap.add_argument("--one", choices=["headless", "window", "node"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    cfg = {"pairs": args.pairs, "flood": args.flood, "paced_seconds": args.paced}
    if args.one:
        result = run_on(args.one == "window", lambda: one(args.one, cfg, args.plain), plain=args.plain)
        emit(result)
        return 0
    print(f"relay: {args.pairs} pairs, flood {args.flood} per peer, paced 10/s per pair for {args.paced:g} s")
    print(f"before: {load()}")
    common = ["--pairs", str(args.pairs), "--flood", str(args.flood), "--paced", str(args.paced)]
    plan: list[tuple[str, str, Variant | None]] = []
    for _ in range(args.rounds):
        for mode in ("headless", "window"):
            plan += [(f"HeartLink {mode}{v.label}", mode, v) for v in variants(args)]
    plan.append(("Node socket.io 4 (reference)", "node", None))
    runs: dict[str, list[dict[str, Any]]] = {}
    for name, mode, variant in plan:
        found = in_process(["-m", "benchmarks.relay", "--one", mode, *common], 600, variant)
        if found is None:
            return 1
        runs.setdefault(name, []).append(found)
    print(f"after: {load()}")
    rows = {name: median_run(r, lambda x: float(x["relays_per_s"])) for name, r in runs.items()}
    print()
    print(
        "| server | relays/s | paced p50 / p99 ms | join p50 / p99 ms | loop callbacks per relay | CPU µs per relay |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        cb = f"{r['callbacks'] / r['flood']:.2f}" if "callbacks" in r else "-"
        cpu = f"{r['cpu_us']:.1f}" if "cpu_us" in r else "-"
        print(
            f"| {name} | {r['relays_per_s']:,.0f} | {r['paced']['p50']:.1f} / {r['paced']['p99']:.1f} "
            f"| {r['joins']['p50']:.1f} / {r['joins']['p99']:.1f} | {cb} | {cpu} |"
        )
    if args.rounds > 1:
        print()
        for name, r in runs.items():
            rates = ", ".join(f"{x['relays_per_s']:,.0f}" for x in r)
            cpus = ", ".join(f"{x['cpu_us']:.1f}" for x in r if "cpu_us" in x)
            print(f"{name}: relays/s of each run {rates}" + (f"; CPU µs per relay {cpus}" if cpus else ""))
    h, w = rows["HeartLink headless"], rows["HeartLink window"]
    n = rows["Node socket.io 4 (reference)"]
    print()
    print(f"window / headless relay rate: {w['relays_per_s'] / h['relays_per_s']:.2f} (goal >= 0.8)")
    print(f"headless / Node relay rate: {h['relays_per_s'] / n['relays_per_s']:.2f} (goal >= 0.6)")
    print(
        f"paced p99: headless {h['paced']['p99']:.1f} ms (goal < 5), window {w['paced']['p99']:.1f} ms (goal < 10)"
    )
    for v in variants(args)[1:]:
        for mode in ("headless", "window"):
            this, other = runs[f"HeartLink {mode}"], runs[f"HeartLink {mode}{v.label}"]
            rate = [a["relays_per_s"] / b["relays_per_s"] for a, b in zip(this, other, strict=True)]
            cpu = [a["cpu_us"] / b["cpu_us"] for a, b in zip(this, other, strict=True)]
            print(
                f"{mode}, this checkout / {v.label.strip()}, run by run: relay rate "
                f"{', '.join(f'{x:.2f}' for x in rate)} (median {statistics.median(rate):.3f}); "
                f"CPU per relay {', '.join(f'{x:.2f}' for x in cpu)} (median {statistics.median(cpu):.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
