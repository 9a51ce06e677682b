"""Benchmark: pairing latency and signaling relay throughput of the host, on loopback.

Run: .venv/bin/python -m benchmarks.relay [messages]
Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.support import Clients, running_host


async def run(messages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        async with running_host(Path(tmp), grace_seconds=0, max_pairs=50) as host:
            started = time.perf_counter() - t0
            cl = Clients(host)
            try:
                pair_times = []
                for _ in range(10):
                    t = time.perf_counter()
                    a, b = await cl.pair()
                    pair_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                for i in range(messages):
                    await b.emit("ice_candidate", {"target": a.sid, "candidate": {"candidate": f"c{i}"}})
                    if i % 200 == 199:
                        await a.wait_for("ice_candidate", i + 1)
                await a.wait_for("ice_candidate", messages, timeout=120)
                relay = time.perf_counter() - t
                t = time.perf_counter()
                for i in range(200):
                    await a.emit("transcript_update", {"text": f"line {i}"})
                await b.wait_for("transcript_update", 200, timeout=60)
                lines = time.perf_counter() - t
            finally:
                await cl.close()
    print(f"server start (certificates ready): {started * 1000:.0f} ms")
    print(f"pairing two clients (connect + join, TLS): median {statistics.median(pair_times) * 1000:.1f} ms")
    print(f"signaling relay: {messages} messages in {relay:.2f} s = {messages / relay:.0f} msg/s")
    print(f"transcript lines (stored atomically, broadcast): 200 in {lines:.2f} s = {200 / lines:.0f} lines/s")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
