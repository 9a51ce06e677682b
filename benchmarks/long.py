"""Benchmark: a long conversation; does a line cost the same at line 5,000 as at line 1?

One pair (benchmarks/load.mjs over TLS, loopback) sends batches of 100 lines, each line after
two audio_activity toggles, and waits until the partner has the batch; ms per line for the
batches starting at 0, 1,000, 2,000 and 5,000 lines, with HeartLink headless and in its
window (offscreen Qt), each in its own process, with the facilitator and session files on.

Run: .venv/bin/python -m benchmarks.long [--lines 5100]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import emit, heartlink, in_process, load, run_load, run_on, tmpdir

AT = (0, 1000, 2000, 5000)


async def one(window: bool, lines: int) -> dict[str, Any]:
    with tmpdir() as tmp:
        async with heartlink(window, Path(tmp)) as target:
            said: list[int] = []
            target.host.rooms.subscribe(lambda e: said.append(1) if e.kind == "transcript" else None)
            result = await run_load(target, "long", lines=lines)
            result["file_lines"] = len(said)  # people's and the facilitator's
            result["writes"] = target.host.store.writes
            return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5100)
    ap.add_argument("--one", choices=["headless", "window"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        result = run_on(args.one == "window", lambda: one(args.one == "window", args.lines))
        emit(result)
        return 0
    print(f"long session: {args.lines} lines in batches of 100, each line after two speaking toggles")
    print(f"before: {load()}")
    rows = {}
    for which in ("headless", "window"):
        argv = ["-m", "benchmarks.long", "--one", which, "--lines", str(args.lines)]
        found = in_process(argv, 1800)
        if found is None:
            return 1
        rows[which] = found
    print(f"after: {load()}")
    print()
    print("| mode | " + " | ".join(f"ms/line at {n:,}" for n in AT) + " | at 5,000 / at 0 | file writes |")
    print("|---|" + "---|" * (len(AT) + 2))
    for which, r in rows.items():
        per = {b["at"]: b["ms_per_line"] for b in r["batches"]}
        cells = " | ".join(f"{per[n]:.2f}" if n in per else "-" for n in AT)
        ratio = per[5000] / per[0] if 5000 in per and 0 in per else float("nan")
        print(f"| {which} | {cells} | {ratio:.2f} | {r['writes']:,} for {r['file_lines']:,} lines |")
    print()
    print("goal: the cost at 5,000 lines within 1.2x of the cost at the start")
    return 0


if __name__ == "__main__":
    sys.exit(main())
