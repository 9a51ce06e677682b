"""Benchmark: does the facilitator listen? Ten scripted conversations (benchmarks/conversations.py)
replayed through the facilitator's own parts: the language model in its worker process
(agent/nlp.py), what it heard (agent/hearing.py), its pacing and line choice (core/pacing.py,
core/lines.py) and the summary (core/summary.py), on a clock that runs as the script says:
a lull before anyone speaks, then one after every second line (silence 2 s, cooldown 2 s,
4 turns, as in the issue's run).

For each conversation: the facilitator's lines, how many after the first name something the
pair said (a topic it parsed, and one a reader would name), the summary, how many of the topics
it names a reader would name, filler or avoided words it names; the time per decision. Then
the loop's longest stall while lines are parsed (a worker process, and a thread to compare),
and what the model costs: start-up, memory, files.

Run: .venv/bin/python -m benchmarks.facilitator [--thread] [--footprint] [--seed 7]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil

from benchmarks.conversations import SCRIPTS, Script
from heartlink_desktop.agent.decks import load_decks
from heartlink_desktop.agent.hearing import Hearing
from heartlink_desktop.agent.nlp import Ear, PlainEar, SpacyEar
from heartlink_desktop.core.lines import build_context, offline_line
from heartlink_desktop.core.pacing import Conversation, Timing
from heartlink_desktop.core.summary import offline_summary
from heartlink_desktop.core.topics import named_in, ranked

T0 = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
TIMING = Timing(silence=2, cooldown=2, turns_without_ai=4)
LINES = load_decks()


def mentions(text: str, phrases: tuple[str, ...]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.I)]


class Heartbeat:
    """A 1 ms timer on the loop: its lateness is how long the loop was kept from running."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._stop = False

    async def run(self) -> None:
        while not self._stop:
            at = time.perf_counter()
            await asyncio.sleep(0.001)
            self.late.append(time.perf_counter() - at - 0.001)

    def stop(self) -> None:
        self._stop = True

    def figures(self) -> str:
        late = sorted(self.late) or [0.0]
        over = sum(1 for x in late if x > 0.005)
        p99 = late[int(len(late) * 0.99)]
        return f"longest stall {late[-1] * 1000:.1f} ms, p99 {p99 * 1000:.2f} ms, {over} of {len(late)} beats over 5 ms"


async def replay(script: Script, ear: Ear, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    hearing = Hearing(ear)
    sid = script.name
    profiles = {r: {"name": n, **script.profiles.get(r, {})} for r, n in zip("AB", script.names, strict=True)}
    snap: dict[str, Any] = {
        "session_id": sid,
        "phase": "icebreaker",
        "participant_profiles": profiles,
        "transcript": [],
        "created_at": T0.isoformat(),
    }
    conv = Conversation(T0, phase="icebreaker", active=True)
    now = T0
    said: list[tuple[str, list[str], list[str]]] = []  # line, topics it names, main topics it names
    decisions: list[float] = []
    waits: list[float] = []

    async def lull(seconds: float) -> None:
        nonlocal now
        end = now + timedelta(seconds=seconds)
        while now < end:
            now += timedelta(seconds=0.25)
            decision = conv.decide(now, TIMING)
            if decision is None:
                continue
            asked = time.perf_counter()
            heard, latest = await hearing.topics(sid, snap)
            started = time.perf_counter()
            best = [t for t in ranked(heard, latest) if t.key not in conv.last_topics]
            ctx = build_context(
                snap, spice=script.spice, mild=decision.mild, rng=rng, topics=tuple(t.text for t in best[:5])
            )
            pick = offline_line(
                LINES,
                ctx,
                heard,
                dict(zip("AB", script.names, strict=True)),
                latest=latest,
                last=conv.last_topics,
                asked=conv.asked,
                used=conv.used,
                rng=rng,
            )
            decisions.append(time.perf_counter() - started)
            waits.append(started - asked)
            if pick is None:
                conv.on_nothing(now)
                continue
            named = named_in(pick.text, heard)
            conv.said(pick.line.id, frozenset(t.key for t in named))
            snap["transcript"].append({"speaker": "AI", "text": pick.text})
            conv.on_ai(now)
            said.append((pick.text, [t.text for t in named], mentions(pick.text, script.main)))

    await lull(3)  # nobody has said anything yet: an opening from the decks
    for i, (role, text) in enumerate(script.lines):
        now += timedelta(seconds=1.5)
        snap["transcript"].append({"speaker": role, "text": text, "name": script.names["AB".index(role)]})
        conv.on_line(role, text, now)
        hearing.heard(sid, text)
        if i % 2 == 1:
            await lull(2.5)
    snap["last_activity"] = now.isoformat()
    heard, _ = await hearing.topics(sid, snap, wait=10)
    summary = offline_summary(snap, heard)
    named = named_in(summary, heard)
    return {
        "script": script,
        "said": said,
        "summary": summary,
        "summary_topics": [t.text for t in named],
        "summary_main": mentions(summary, script.main),
        "summary_filler": mentions(summary, script.filler),
        "summary_avoid": mentions(summary, script.avoid),
        "asked_avoid": [s for s, _, _ in said if mentions(s, script.avoid)],
        "decisions": decisions,
        "waits": waits,
    }


def report(r: dict[str, Any]) -> tuple[int, int, int]:
    s: Script = r["script"]
    print(f"\n== {s.name} ({s.kind}), {len(s.lines)} lines, spice {s.spice}")
    after = r["said"][1:]
    for text, topics, main in r["said"]:
        print(
            f"  HeartLink: {text}    [names: {', '.join(topics) or '-'}; a reader's topic: {', '.join(main) or '-'}]"
        )
    parsed = sum(1 for _, t, _ in after if t)
    real = sum(1 for _, _, m in after if m)
    print(
        f"  lines after the first naming something said: {parsed}/{len(after)} (a reader's topic: {real}/{len(after)})"
    )
    print(f"  summary: {r['summary']}")
    print(
        f"  summary names {len(r['summary_topics'])} topics, {len(r['summary_main'])} of the reader's "
        f"({', '.join(r['summary_main'])}); filler {r['summary_filler'] or 'none'}; "
        f"avoided {r['summary_avoid'] or 'none'}; questions on avoided topics {len(r['asked_avoid'])}"
    )
    return real, len(after), len(r["summary_main"])


async def idle_stall(seconds: float) -> Heartbeat:
    """The loop with nothing to do: the machine's own noise, for reference."""
    beat = Heartbeat()
    task = asyncio.create_task(beat.run())
    await asyncio.sleep(seconds)
    beat.stop()
    await task
    return beat


async def stall(ear: SpacyEar) -> tuple[Heartbeat, float, float]:
    """The loop's lateness while all scripts' lines are parsed, one after another."""
    beat = Heartbeat()
    task = asyncio.create_task(beat.run())
    await asyncio.sleep(0.05)
    texts = [t for s in SCRIPTS for _, t in s.lines]
    times = []
    for t in texts:
        at = time.perf_counter()
        await ear.mentions(t)
        times.append(time.perf_counter() - at)
    beat.stop()
    await task
    return beat, statistics.median(times), max(times)


def footprint() -> None:
    """Start-up, memory and files of the model, each in a fresh interpreter."""
    code = r"""
import os, sys, time, json
t0 = time.perf_counter()
import psutil
base = psutil.Process().memory_info().rss
before = set(sys.modules)
which = sys.argv[1]
if which == "spacy":
    from heartlink_desktop.agent.nlp import load_model
    nlp = load_model(); nlp("warm up")
else:
    from heartlink_desktop.core.topics import plain_mentions
    plain_mentions("warm up")
took = time.perf_counter() - t0
rss = psutil.Process().memory_info().rss - base
files = {getattr(m, "__file__", None) for n, m in sys.modules.items() if n not in before}
libs = set()
for line in open("/proc/self/maps"):
    p = line.split()[-1]
    if "site-packages" in p: libs.add(p)
sizes = sum(os.path.getsize(f) for f in (files | libs) if f and os.path.isfile(f))
model = 0
if which == "spacy":
    from heartlink_desktop.agent.nlp import model_path
    model = sum(f.stat().st_size for f in model_path().rglob("*") if f.is_file())
print(json.dumps([took, rss / 2**20, (sizes + model) / 2**20, len(set(sys.modules) - before)]))
"""
    for which in ("plain", "spacy"):
        out = subprocess.run([sys.executable, "-c", code, which], capture_output=True, text=True, check=True)
        took, rss, size, mods = eval(out.stdout)  # our own figures
        print(
            f"  {which}: start-up {took:.2f} s, memory +{rss:.0f} MB, files loaded {size:.0f} MB "
            f"({mods} modules)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--thread", action="store_true", help="also measure the model in a thread")
    parser.add_argument("--footprint", action="store_true", help="also measure start-up, memory, files")
    parser.add_argument("--plain", action="store_true", help="the plain fallback instead of the model")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}")
    ear: Ear
    if args.plain:
        ear = PlainEar()
    else:
        spacy_ear = SpacyEar()
        at = time.perf_counter()
        await spacy_ear.warm()
        children = psutil.Process().children(recursive=True)
        worker = max((c.memory_info().rss for c in children), default=0) / 2**20
        print(
            f"model ready in its worker after {time.perf_counter() - at:.2f} s; worker memory {worker:.0f} MB"
        )
        ear = spacy_ear
    totals = [0, 0, 0]
    decisions: list[float] = []
    waits: list[float] = []
    for script in SCRIPTS:
        r = await replay(script, ear, args.seed)
        real, after, main = report(r)
        totals[0] += real
        totals[1] += after
        totals[2] += main >= 3
        decisions += r["decisions"]
        waits += r["waits"]
    print(
        f"\nall: {totals[0]}/{totals[1]} lines after the first name a reader's topic; "
        f"{totals[2]}/{len(SCRIPTS)} summaries name three or more of them"
    )
    ms = sorted(d * 1000 for d in decisions)
    wait = sorted(w * 1000 for w in waits)
    print(
        f"decision (topics to line): median {statistics.median(ms):.2f} ms, max {ms[-1]:.2f} ms over {len(ms)}; "
        f"a line's parse when asked at once: median {statistics.median(wait):.2f} ms, max {wait[-1]:.2f} ms"
    )
    if isinstance(ear, SpacyEar):
        at = time.perf_counter()
        beat, med, top = await stall(ear)
        idle = await idle_stall(time.perf_counter() - at)
        print(
            f"model in a process: {beat.figures()}; a line parsed in {med * 1000:.1f} ms median, {top * 1000:.1f} ms max"
        )
        print(f"loop idle as long:  {idle.figures()} (the machine's own noise)")
        ear.close()
    if args.thread:
        threaded = SpacyEar(thread=True)
        await threaded.warm()
        beat, med, top = await stall(threaded)
        print(
            f"model in a thread:  {beat.figures()}; a line parsed in {med * 1000:.1f} ms median, {top * 1000:.1f} ms max"
        )
        threaded.close()
    if args.footprint:
        print("what the model adds (fresh interpreter each):")
        footprint()
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
