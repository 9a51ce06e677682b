"""Benchmark: speech to text on the host, Whisper against PocketSphinx, side by side in one run.
Prints figures; asserts nothing.

Run: .venv/bin/python -m benchmarks.speech [seconds per speaker] [--quick] [--capacity]
(--quick: a third of the recordings, at most 2 people at once; --capacity: no accuracy part)

- Accuracy on real human speech with published transcripts, installed by the set-up from
  Debian: a fixed sample of Asterisk's English prompts (one speaker, telephone quality, the
  words from core-sounds-en.txt) and ALSA's channel names (another speaker), each fed to the
  project's own worker code (speech/worker.py's engines, as the worker processes run them):
  the word error rate, the CPU per speaking stream, and what each makes of ALSA's noise.
- Through the real host (TLS, Socket.IO, worker processes, the default number of workers):
  N people speaking at once, each streaming recordings in real time one after another with a
  pause between, starting at random moments: the delay from each utterance's end mark to its
  line at the partner (median, p90), the workers' CPU per speaking stream, and the most
  people at once that stay in real time (p90 within 1.5 s). For Whisper, also without the
  interim re-decoding, to show what the partner's interim words cost.

The machine may be shared (2 cores here, with other engineers' tests): the load average is
printed with every figure; compare figures of one run, not across runs.
"""

from __future__ import annotations

import asyncio
import os
import queue
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.speech import default_workers, embedded
from heartlink_desktop.speech import messages as m
from heartlink_desktop.speech import worker as w
from tests import speech
from tests.support import Clients, Peer, running_host

REAL_TIME_P90 = 1.5  # seconds from the end of an utterance to the line at the partner
PAUSE = (0.7, 1.5)  # seconds of silence between one person's utterances


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} (1/5 min) on {os.cpu_count()} cores"


def recordings(quick: bool) -> list[tuple[str, bytes, str]]:
    """(name, 16 kHz PCM, reference words): Asterisk's sample, then ALSA's channel names."""
    names = speech.prompts(every=12 if quick else 4)
    out = [(n, *speech.prompt(n)) for n in names]
    for name, words in speech.ALSA_TEXT.items():
        out.append((f"alsa/{name}", speech.decode_file(speech.ALSA / f"{name}.wav"), words))
    return out


class Outbox(queue.Queue[Any]):
    """What a worker says, kept here instead of crossing a process boundary."""


def run_engine(engine: str, pcm: bytes, model: Any, uid: ut.UttId) -> tuple[str, float]:
    """One utterance through the worker's engine object as the worker process drives it:
    PocketSphinx in 200 ms chunks as they come, Whisper whole. The text and the CPU seconds."""
    inbox: queue.Queue[Any] = queue.Queue()
    out: Outbox = model.outbox
    cpu = time.process_time()
    if engine == "pocketsphinx":
        model.handle(m.Begin(uid), inbox, time.process_time())
        for chunk in speech.chunks(pcm):
            model.handle(m.Chunk(uid, chunk), inbox, time.process_time())
        model.handle(m.Finish(uid), inbox, time.process_time())
    else:
        model.handle(m.Decode(uid, pcm), inbox, time.process_time())
    used = time.process_time() - cpu
    while True:
        msg = out.get_nowait()
        if isinstance(msg, m.Text):
            return msg.text, used


def accuracy(quick: bool) -> None:
    data = recordings(quick)
    audio = sum(ut.seconds(len(p)) for _, p, _ in data)
    words = sum(len(speech.normal_words(t)) for _, _, t in data)
    print(f"accuracy: {len(data)} real recordings, {audio:.0f} s, {words} words  [{load()}]")
    noise = speech.decode_file(speech.NOISE) * 2
    for engine in ("whisper", "pocketsphinx"):
        started = time.perf_counter()
        model = w.load(engine, 0, Outbox())
        loaded = time.perf_counter() - started
        edits = total = 0
        cpu = 0.0
        per_set: dict[str, list[int]] = {}
        worst: list[tuple[float, str, str]] = []
        for i, (name, pcm, ref) in enumerate(data):
            text, used = run_engine(engine, pcm, model, ut.UttId("bench", i))
            e, n = speech.errors(ref, text)
            edits, total, cpu = edits + e, total + n, cpu + used
            kind = "alsa" if name.startswith("alsa/") else "asterisk"
            per_set.setdefault(kind, [0, 0])
            per_set[kind][0] += e
            per_set[kind][1] += n
            worst.append((e / max(1, n), name, text))
        heard_noise, _ = run_engine(engine, noise, model, ut.UttId("bench", 10_000))
        sets = ", ".join(f"{k} {v[0] / v[1]:.1%}" for k, v in per_set.items())
        print(
            f"  {engine:12} word error rate {edits / total:.1%} ({sets}); CPU per speaking stream "
            f"{cpu / audio:.2f} core; model load {loaded:.2f} s; noise -> {heard_noise!r}  [{load()}]"
        )
        worst.sort(reverse=True)
        for rate, name, text in worst[:3]:
            print(f"      worst: {name} {rate:.0%}: {text!r}")


async def utter(peer: Peer, pcm: bytes) -> float:
    """One utterance streamed in real time, then its end mark; the time the mark went."""
    start, sent = time.perf_counter(), 0
    for chunk in speech.chunks(pcm):
        await peer.emit("audio", chunk)
        sent += len(chunk)
        ahead = start + ut.seconds(sent) - time.perf_counter()
        if ahead > 0:
            await asyncio.sleep(ahead)  # the pace of live speech
    await peer.emit("audio_end", {})
    return time.perf_counter()


async def speaker(
    peer: Peer, clips: list[bytes], until: float, ends: list[float], spoken: list[float]
) -> None:
    """Utterances one after another, a pause between, from a random moment until `until`."""
    rng = random.Random(id(peer))
    await asyncio.sleep(rng.uniform(0, 4.0))  # people do not start at the same moment
    i = rng.randrange(len(clips))
    while time.perf_counter() < until:
        pcm = clips[i % len(clips)]
        i += 1
        ends.append(await utter(peer, pcm))
        spoken.append(ut.seconds(len(pcm)))
        await asyncio.sleep(rng.uniform(*PAUSE))


def host_ready(host: Any) -> bool:
    """Every worker process has its model loaded."""
    emb = host.speech.embedded
    return emb.pool is not None and len(emb.pool.ready) == emb.workers


def children_cpu() -> float:
    import psutil

    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


async def through_host(engine: str, people: int, seconds: float, clips: list[bytes]) -> dict[str, Any]:
    """`people` speaking at once (in pairs, both partners speaking) for about `seconds` each."""
    pairs = (people + 1) // 2
    with tempfile.TemporaryDirectory() as tmp:
        async with running_host(Path(tmp), max_pairs=pairs, stt=engine, grace_seconds=0) as host:
            c = Clients(host)
            try:
                peers = []
                for _ in range(pairs):
                    peers += list(await c.pair())
                speakers = peers[:people]
                got: dict[int, list[float]] = {id(p): [] for p in speakers}
                partner = {id(a): b for a, b in zip(peers[0::2], peers[1::2], strict=True)}
                partner |= {id(b): a for a, b in zip(peers[0::2], peers[1::2], strict=True)}
                for p in speakers:
                    role = "A" if id(p) in {id(x) for x in peers[0::2]} else "B"

                    def on_line(data: dict[str, Any], key: int = id(p), role: str = role) -> None:
                        if data.get("speaker") == role:
                            got[key].append(time.perf_counter())

                    partner[id(p)].sio.on("transcript_update", on_line)
                # warm up: every worker loaded, one line back
                await utter(speakers[0], clips[0])
                await wait_for(lambda: len(got[id(speakers[0])]) >= 1, 90)
                await wait_for(lambda: host_ready(host), 90)
                for p in speakers:
                    got[id(p)].clear()
                cpu0, t0 = children_cpu(), time.perf_counter()
                ends: dict[int, list[float]] = {id(p): [] for p in speakers}
                spoken: list[float] = []
                until = t0 + seconds
                await asyncio.gather(*(speaker(p, clips, until, ends[id(p)], spoken) for p in speakers))
                sent = sum(len(v) for v in ends.values())
                await wait_for(lambda: sum(len(v) for v in got.values()) >= sent, 60)
                cpu = children_cpu() - cpu0
                delays = [
                    line - end for p in speakers for end, line in zip(ends[id(p)], got[id(p)], strict=False)
                ]
                return {"delays": delays, "cpu": cpu, "audio": sum(spoken)}
            finally:
                await c.close()


async def wait_for(cond: Any, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not cond() and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


async def capacity(seconds: float, quick: bool) -> None:
    clips = [speech.prompt(n, pad=0.1)[0] for n in speech.prompts(every=4, longest=7.0)]
    audio_each = statistics.mean(ut.seconds(len(c)) for c in clips)
    print(
        f"through the host, {default_workers()} worker processes, {len(clips)} recordings of "
        f"{audio_each:.1f} s on average, each person speaking for {seconds:.0f} s:"
    )
    # the engines take turns at each size, so that both see about the same load
    crowds = {"whisper": (1, 2, 4, 6, 8), "pocketsphinx": (1, 2, 3, 4)}
    best = {engine: 0 for engine in crowds}
    keeping_up = {engine: True for engine in crowds}
    for people in sorted(set(crowds["whisper"]) | set(crowds["pocketsphinx"])):
        if quick and people > 2:
            break
        for engine, crowd in crowds.items():
            if people not in crowd:
                continue
            r = await through_host(engine, people, seconds, clips)
            d = r["delays"]
            ok = bool(d) and p90(d) <= REAL_TIME_P90
            keeping_up[engine] = keeping_up[engine] and ok
            best[engine] = people if keeping_up[engine] else best[engine]
            print(
                f"  {engine:12} {people} speaking at once: end of utterance -> partner's line median "
                f"{statistics.median(d) if d else float('nan'):.2f} s, p90 {p90(d):.2f} s, worst "
                f"{max(d, default=0):.2f} s over {len(d)} lines; worker CPU "
                f"{r['cpu'] / max(1e-9, r['audio']):.2f} core per speaking stream; "
                f"{'real time' if ok else 'behind'}  [{load()}]"
            )
    for engine, n in best.items():
        print(f"  {engine}: people speaking at once in real time (p90 within {REAL_TIME_P90} s): {n}")
    # the partner's interim words: Whisper re-decodes a growing utterance on an idle worker
    saved = embedded.INTERIM_BYTES
    embedded.INTERIM_BYTES = 1 << 40
    try:
        r = await through_host("whisper", 2, seconds, clips)
    finally:
        embedded.INTERIM_BYTES = saved
    d = r["delays"]
    print(
        f"  whisper without interim words, 2 speaking: median {statistics.median(d):.2f} s, p90 "
        f"{p90(d):.2f} s; worker CPU {r['cpu'] / r['audio']:.2f} core per speaking stream  [{load()}]"
    )


async def main(seconds: float, quick: bool, capacity_only: bool) -> None:
    print(f"machine: {load()}")
    if not capacity_only:
        accuracy(quick)
    await capacity(seconds, quick)
    print(f"machine after: {load()}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(float(args[0]) if args else 30.0, "--quick" in sys.argv, "--capacity" in sys.argv))
