"""Benchmark: a long conversation; does a line cost the same at line 5,000 as at line 1?

One pair (benchmarks/load.mjs over TLS, loopback) sends batches of 100 lines, each line after
two audio_activity toggles, and waits until the partner has the batch; ms per line for the
batches starting at 0, 1,000, 2,000 and 5,000 lines, with HeartLink headless and in its
window (offscreen Qt), each in its own process, with the facilitator and session files on.

Run: .venv/bin/python -m benchmarks.long [--lines 5100] [--plain] [--against DIR] [--rounds N]
`--plain`, `--against` and `--rounds` as in benchmarks.relay (the run shown: the median of
the mean ms per line; the host process's CPU µs per line beside it, compared run by run).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    emit,
    heartlink,
    in_process,
    load,
    median_run,
    run_load,
    run_on,
    tmpdir,
    variant_options,
    variants,
)

AT = (0, 1000, 2000, 5000)


async def one(window: bool, lines: int, plain: bool) -> dict[str, Any]:
    with tmpdir() as tmp:
        async with heartlink(window, Path(tmp), plain=plain) as target:
            said: list[int] = []
            target.host.rooms.subscribe(lambda e: said.append(1) if e.kind == "transcript" else None)
            cpu = time.process_time()
            result = await run_load(target, "long", lines=lines)
            result["cpu_us"] = (time.process_time() - cpu) * 1e6 / lines
            result["file_lines"] = len(said)  # people's and the facilitator's
            result["writes"] = target.host.store.writes
            return result


def mean_ms(run: dict[str, Any]) -> float:
    per = [b["ms_per_line"] for b in run["batches"]]
    return sum(per) / len(per)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5100)
    variant_options(ap)
    ap.add_argument("--one", choices=["headless", "window"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        window = args.one == "window"
        result = run_on(window, lambda: one(window, args.lines, args.plain), plain=args.plain)
        emit(result)
        return 0
    print(f"long session: {args.lines} lines in batches of 100, each line after two speaking toggles")
    print(f"before: {load()}")
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(args.rounds):
        for which in ("headless", "window"):
            for v in variants(args):
                argv = ["-m", "benchmarks.long", "--one", which, "--lines", str(args.lines)]
                found = in_process(argv, 1800, v)
                if found is None:
                    return 1
                runs.setdefault(f"{which}{v.label}", []).append(found)
    print(f"after: {load()}")
    rows = {name: median_run(r, mean_ms) for name, r in runs.items()}
    print()
    print(
        "| mode | "
        + " | ".join(f"ms/line at {n:,}" for n in AT)
        + " | at 5,000 / at 0 | mean ms/line | CPU µs/line | file writes |"
    )
    print("|---|" + "---|" * (len(AT) + 4))
    for name, r in rows.items():
        per = {b["at"]: b["ms_per_line"] for b in r["batches"]}
        cells = " | ".join(f"{per[n]:.2f}" if n in per else "-" for n in AT)
        ratio = per[5000] / per[0] if 5000 in per and 0 in per else float("nan")
        print(
            f"| {name} | {cells} | {ratio:.2f} | {mean_ms(r):.3f} | {r['cpu_us']:.0f} "
            f"| {r['writes']:,} for {r['file_lines']:,} lines |"
        )
    print()
    print("goal: the cost at 5,000 lines within 1.2x of the cost at the start")
    for v in variants(args)[1:]:
        for which in ("headless", "window"):
            this, other = runs[which], runs[f"{which}{v.label}"]
            ms = [mean_ms(a) / mean_ms(b) for a, b in zip(this, other, strict=True)]
            cpu = [a["cpu_us"] / b["cpu_us"] for a, b in zip(this, other, strict=True)]
            print(
                f"{which}, this checkout / {v.label.strip()}, run by run: ms per line "
                f"{', '.join(f'{x:.2f}' for x in ms)} (median {statistics.median(ms):.3f}); "
                f"CPU per line {', '.join(f'{x:.2f}' for x in cpu)} (median {statistics.median(cpu):.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
