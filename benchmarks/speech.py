"""Benchmark: speech to text on the host, per engine. Prints figures; asserts nothing.

Run: .venv/bin/python -m benchmarks.speech [rounds]

- PocketSphinx alone: the real-time factor (decode time / audio time) and the CPU per speaking
  stream, decoding live in 200 ms blocks as the workers do; and whether it releases the GIL
  (two threads decoding at once against one).
- Through the real host (TLS, Socket.IO, worker processes): speakers in separate pairs each
  say a 5 s utterance in real time, all at once; the delay from the end mark to the line
  reaching the partner (median, worst), for 1 to 4 speakers at once: how many this machine
  transcribes in real time (every line within 1.5 s).
- The OpenAI-compatible engine against a stand-in server on loopback that answers at once:
  the client's own overhead (a real server adds its recognition time).

The machine may be shared (2 cores here, with another engineer's tests): the load average is
printed with the figures.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiohttp import web

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.speech import default_workers
from heartlink_desktop.speech.remote import RemoteConfig, RemoteEngine
from heartlink_desktop.speech.worker import make_decoder
from tests import speech
from tests.integration.test_speech import line_from
from tests.support import Clients, running_host

REAL_TIME_DELAY = 1.5  # seconds from the end of an utterance to the line at the partner
BLOCK = 6400


def utterance() -> bytes:
    """About 5 s of speech: two sentences back to back."""
    return speech.pcm("sisters", 0.2) + speech.pcm("beach", 0.2)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def decode(decoder: object, pcm: bytes) -> str:
    d: object = decoder
    d.start_utt()  # type: ignore[attr-defined]
    for i in range(0, len(pcm), BLOCK):
        d.process_raw(pcm[i : i + BLOCK], False, False)  # type: ignore[attr-defined]
    d.end_utt()  # type: ignore[attr-defined]
    hyp = d.hyp()  # type: ignore[attr-defined]
    return hyp.hypstr if hyp is not None else ""


def engine_alone(pcm: bytes, rounds: int) -> None:
    t = time.perf_counter()
    decoder = make_decoder()
    print(f"PocketSphinx model load: {time.perf_counter() - t:.2f} s")
    audio = ut.seconds(len(pcm))
    walls, cpus = [], []
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        text = decode(decoder, pcm)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(
        f"PocketSphinx on {audio:.1f} s of speech: RTF median {statistics.median(walls) / audio:.2f}, "
        f"worst {max(walls) / audio:.2f}; CPU per speaking stream {statistics.median(cpus) / audio:.0%} of a core"
    )
    print(f"  it heard: {text!r}")
    # the GIL: two threads decoding at once, against one
    other = make_decoder()
    w = time.perf_counter()
    decode(decoder, pcm)
    single = time.perf_counter() - w
    threads = [threading.Thread(target=decode, args=(d, pcm)) for d in (decoder, other)]
    w = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    double = time.perf_counter() - w
    verdict = (
        "holds the GIL (threads do not help: worker processes)"
        if double > 1.6 * single
        else "releases the GIL"
    )
    print(
        f"GIL: one decode {single:.2f} s, two in threads at once {double:.2f} s ({double / single:.2f}x): {verdict}"
    )


async def speak(peer: object, pcm: bytes) -> float:
    """Stream in real time, then the end mark; the monotonic time the mark went."""
    p = peer
    start = time.perf_counter()
    sent = 0
    for i in range(0, len(pcm), BLOCK):
        chunk = pcm[i : i + BLOCK]
        await p.emit("audio", chunk)  # type: ignore[attr-defined]
        sent += len(chunk)
        ahead = start + ut.seconds(sent) - time.perf_counter()
        if ahead > 0:
            await asyncio.sleep(ahead)  # the pace of live speech
    await p.emit("audio_end", {})  # type: ignore[attr-defined]
    return time.perf_counter()


async def through_host(pcm: bytes, speakers: int, rounds: int, workers: int) -> tuple[list[float], float]:
    """Delays end-mark -> partner line over `rounds`, `speakers` at once, each in its own pair."""
    with tempfile.TemporaryDirectory() as tmp:
        async with running_host(Path(tmp), max_pairs=speakers, stt_workers=workers, grace_seconds=0) as host:
            c = Clients(host)
            try:
                pairs = [await c.pair() for _ in range(speakers)]
                await speak(pairs[0][0], speech.pcm("sisters"))  # the workers are up: a first line back
                await line_from(pairs[0][1], "A", 1, timeout=60)
                base = {id(b): 1 for _, b in pairs}
                base[id(pairs[0][1])] = 2
                delays: list[float] = []
                cpu0 = sum(p.cpu_times().user + p.cpu_times().system for p in _workers())
                for r in range(rounds):
                    ends = await asyncio.gather(*(speak(a, pcm) for a, _ in pairs))
                    for (_, b), end in zip(pairs, ends, strict=True):
                        await line_from(b, "A", base[id(b)] + r, timeout=120)
                        got = time.perf_counter()
                        delays.append(got - end)
                cpu = sum(p.cpu_times().user + p.cpu_times().system for p in _workers()) - cpu0
                audio = ut.seconds(len(pcm)) * rounds * speakers
                return delays, cpu / audio
            finally:
                await c.close()


def _workers() -> list:
    import psutil

    return [p for p in psutil.Process().children(recursive=True)]


async def remote_overhead(pcm: bytes, rounds: int) -> None:
    async def reply(request: web.Request) -> web.StreamResponse:
        await request.post()
        return web.json_response({"text": "stand-in"})

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/v1/audio/transcriptions", reply)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        eng = RemoteEngine(RemoteConfig(f"http://127.0.0.1:{port}/v1"))
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            await eng.transcribe(pcm)
            times.append(time.perf_counter() - t)
    finally:
        await runner.cleanup()
    audio = ut.seconds(len(pcm))
    print(
        f"OpenAI-compatible client, {audio:.1f} s utterance to a loopback stand-in: "
        f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
        f"(RTF {statistics.median(times) / audio:.3f} before the server's own recognition)"
    )


async def run(rounds: int) -> None:
    pcm = utterance()
    print(f"machine: {load()}")
    engine_alone(pcm, rounds)
    workers = default_workers()
    print(
        f"through the host, {workers} worker processes (the default here), {ut.seconds(len(pcm)):.1f} s utterances:"
    )
    in_real_time = 0
    for speakers in (1, 2, 3, 4):
        delays, cpu = await through_host(pcm, speakers, rounds, workers)
        ok = max(delays) <= REAL_TIME_DELAY
        in_real_time = speakers if ok and in_real_time == speakers - 1 else in_real_time
        print(
            f"  {speakers} speaking at once: end of utterance -> partner's line median "
            f"{statistics.median(delays):.2f} s, worst {max(delays):.2f} s; worker CPU {cpu:.0%} of a core "
            f"per stream; {'real time' if ok else 'behind'}  [{load()}]"
        )
    print(f"streams transcribed in real time at once (every line within {REAL_TIME_DELAY} s): {in_real_time}")
    await remote_overhead(pcm, rounds)
    print(f"machine after: {load()}")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
