"""The facilitator's pure policy, replaying scripted conversations on a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.agent.decks import load_decks
from heartlink_desktop.core.lines import Pick, build_context, choose_line
from heartlink_desktop.core.pacing import (
    ASKED,
    AWKWARD,
    HOST,
    LULL,
    PHASE_RULES,
    SPEAKING_STALE_SECONDS,
    TURNS,
    Conversation,
    Decision,
    Timing,
    classify_request,
)

T0 = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)
DECKS = load_decks()
TIMING = Timing(silence=8, cooldown=15, turns_without_ai=12)


class Replay:
    """One active session: scripted human events, and the policy acting on each clock step."""

    def __init__(self, spice: int = 2, timing: Timing = TIMING, seed: int = 7, **profiles: Any) -> None:
        self.now = T0
        self.spice = spice
        self.timing = timing
        self.rng = random.Random(seed)
        self.conv = Conversation(T0, phase="icebreaker", active=True)
        self.snapshot: dict[str, Any] = {
            "phase": "icebreaker",
            "participant_profiles": {
                "A": {"name": "Alice", **profiles.get("a", {})},
                "B": {"name": "Bob", **profiles.get("b", {})},
            },
            "transcript": [],
        }
        self.said: list[tuple[datetime, Decision, Pick]] = []
        self.phases: list[tuple[float, str]] = []

    def line(self, role: str, text: str) -> None:
        self.snapshot["transcript"].append({"speaker": role, "text": text})
        self.conv.on_line(role, text, self.now)

    def audio(self, role: str, speaking: bool) -> None:
        self.conv.on_audio(role, speaking, self.now)

    def run(self, seconds: float, step: float = 0.25) -> list[tuple[datetime, Decision, Pick]]:
        """Let the clock run; return the lines said meanwhile."""
        start = len(self.said)
        end = self.now + timedelta(seconds=seconds)
        while self.now < end:
            self.now += timedelta(seconds=step)
            nxt = self.conv.next_phase(self.now)
            if nxt:
                self.conv.on_phase(nxt, self.now)
                self.snapshot["phase"] = nxt
                self.phases.append(((self.now - T0).total_seconds(), nxt))
            decision = self.conv.decide(self.now, self.timing)
            if decision is None:
                continue
            ctx = build_context(self.snapshot, spice=self.spice, mild=decision.mild, rng=self.rng)
            pick = choose_line(DECKS, ctx, self.conv.used, self.rng)
            if pick is None:
                self.conv.on_nothing(self.now)  # nothing left to say: it stays quiet
                continue
            self.conv.used.add(pick.line.id)
            self.snapshot["transcript"].append({"speaker": "AI", "text": pick.text})
            self.conv.on_ai(self.now)
            self.said.append((self.now, decision, pick))
        return self.said[start:]

    def at(self, t: datetime) -> float:
        return (t - T0).total_seconds()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_lull_gives_exactly_one_interjection() -> None:
    r = Replay()
    r.run(1)
    r.line("A", "Hi Bob, nice to meet you")
    r.run(1)
    r.line("B", "Hi Alice, likewise")
    said = r.run(120)  # a long silence: one line, then it waits for them
    assert len(said) == 1
    when, decision, pick = said[0]
    assert decision.reason == LULL and r.at(when) == 2 + 8  # silence counted from the last line
    assert pick.line.phase == "icebreaker" and pick.line.kind != "rescue"


def test_cooldown_holds_even_when_they_answer_at_once() -> None:
    r = Replay()
    r.line("A", "hello")
    [(first, _, _)] = r.run(8.25)
    r.line("B", "oh, good question")  # an answer right away, then quiet again
    said = r.run(15)
    assert len(said) == 1
    second = said[0][0]
    assert (second - first).total_seconds() == TIMING.cooldown
    # a call for help inside the cooldown waits for the cooldown too
    r.run(1)
    r.line("A", "this is awkward")
    [(third, decision, pick)] = r.run(30)
    assert r.run(60) == []  # and nothing more until someone speaks again
    assert decision.reason == AWKWARD and (third - second).total_seconds() == TIMING.cooldown
    assert pick.line.kind == "rescue" and pick.line.spice <= 2


def test_nothing_while_someone_speaks() -> None:
    r = Replay()
    r.line("A", "let me tell you a long story")
    r.audio("B", True)
    assert r.run(90) == []  # B talks for a minute and a half: no interruption
    r.audio("B", False)
    r.line("A", "wow")
    r.audio("A", True)
    r.line("B", "hey heartlink, give us a question?")
    assert r.run(30) == []  # A is speaking: even a request waits
    r.audio("A", False)
    [(when, decision, _)] = r.run(5)
    assert decision.reason == ASKED and r.at(when) == 120.25  # as soon as A stopped


EPS = timedelta(microseconds=1)  # the clock's resolution: one tick before a moment


def test_while_one_speaks_nothing_then_a_lull_exactly_silence_after() -> None:
    """What the integration test once waited three wall-clock seconds to show."""
    timing = Timing(silence=1, cooldown=1)
    conv = Conversation(T0, active=True)
    conv.on_audio("A", True, T0)
    conv.on_line("A", "so there I was, telling a long story", T0)
    for t in (1, 3, 60, SPEAKING_STALE_SECONDS - 1):  # three silences long, and far beyond
        assert conv.decide(at(t), timing) is None
    assert conv.wake_at(at(3), timing) == at(SPEAKING_STALE_SECONDS)  # no timer wakes before
    conv.on_audio("A", False, at(3))
    conv.on_line("B", "wow", at(3))
    assert conv.decide(at(4) - EPS, timing) is None
    assert conv.wake_at(at(3), timing) == at(4)
    assert conv.decide(at(4), timing) == Decision(LULL, at(4))


def test_the_cooldown_ends_exactly_cooldown_seconds_after_its_line() -> None:
    """The facilitator stays quiet through its cooldown even when the lull came sooner."""
    timing = Timing(silence=1, cooldown=1.5)
    conv = Conversation(T0, active=True)
    conv.on_line("A", "Hi Bob", T0)
    assert conv.decide(at(1) - EPS, timing) is None
    assert conv.decide(at(1), timing) == Decision(LULL, at(1))
    conv.on_ai(at(1))
    conv.on_line("B", "good question", at(1))  # answered at once: the lull is due at 2
    assert conv.decide(at(2), timing) is None and conv.decide(at(2.5) - EPS, timing) is None
    assert conv.wake_at(at(2), timing) == at(2.5)
    assert conv.decide(at(2.5), timing) == Decision(LULL, at(2.5))


def test_a_speaking_flag_left_on_goes_stale() -> None:
    r = Replay()
    r.audio("A", True)  # and the page vanished before sending false
    assert r.run(119) == []
    [(when, decision, _)] = r.run(10)
    assert decision.reason == LULL and r.at(when) == 120


def test_never_twice_in_a_row_without_someone_between() -> None:
    r = Replay()
    assert len(r.run(600)) == 1  # a silent pair: one greeting-like line, then it waits
    r.audio("B", True)  # speech counts as human activity, even with no transcript
    r.audio("B", False)
    assert len(r.run(30)) == 1


def test_many_turns_without_it_bring_a_line() -> None:
    r = Replay()
    for i in range(11):
        r.line("AB"[i % 2], f"line number {i}")
        assert r.run(1) == []
    r.line("B", "and the twelfth")
    [(_, decision, _)] = r.run(0.25)
    assert decision.reason == TURNS


def test_nothing_in_a_session_that_is_not_active() -> None:
    r = Replay()
    r.conv.set_active(False, r.now)
    r.line("A", "hello? this is awkward")
    assert r.run(120) == []
    assert r.conv.wake_at(r.now, TIMING) is None
    r.conv.set_active(True, r.now)
    assert len(r.run(10)) == 1


def test_the_hosts_request_skips_cooldown_but_not_speech() -> None:
    r = Replay()
    r.line("A", "hi")
    [(first, _, _)] = r.run(9)
    r.conv.host_request = True
    r.audio("A", True)
    assert r.run(3) == []
    r.audio("A", False)
    [(when, decision, _)] = r.run(0.25)
    assert decision.reason == HOST and (when - first).total_seconds() < TIMING.cooldown


def _chatty_session(spice: int, seconds: float, seed: int = 1, **profiles: Any) -> Replay:
    """Two hours of a pair who answer each line once, then fall quiet."""
    r = Replay(spice=spice, seed=seed, **profiles)
    r.line("A", "hello there")
    while r.at(r.now) < seconds:
        if r.run(5):
            r.run(2)
            r.line("B", "good one, I like thinking about travel and music")
    return r


def test_no_line_repeats_over_a_long_session() -> None:
    r = _chatty_session(4, 2 * 3600, a={"hobbies": ["jazz"]}, b={"interests": ["Jazz", "chess"]})
    texts = [p.text for _, _, p in r.said]
    ids = [p.line.id for _, _, p in r.said]
    assert len(texts) > 100  # most of the decks got used...
    assert len(set(ids)) == len(ids) and len(set(texts)) == len(texts)  # ...and none twice
    gaps = [(b[0] - a[0]).total_seconds() for a, b in zip(r.said, r.said[1:], strict=False)]
    assert min(gaps) >= TIMING.cooldown


def test_no_line_above_the_session_spice() -> None:
    for spice in (1, 2, 3, 4):
        r = _chatty_session(spice, 3600, seed=spice)
        levels = {p.line.spice for _, _, p in r.said}
        assert levels and max(levels) <= spice, (spice, levels)
        assert spice in levels  # the session's own level is used, not only milder ones


def test_phases_advance_as_documented() -> None:
    ice, deep = PHASE_RULES["icebreaker"], PHASE_RULES["deep_dive"]
    # talkative: enough lines in the phase, so it moves at min_seconds
    r = Replay(timing=Timing(silence=1000, cooldown=1000, turns_without_ai=1000))
    for i in range(ice.min_turns):
        r.line("AB"[i % 2], f"line {i}")
        r.run(1)
    r.run(ice.min_seconds)
    for i in range(deep.min_turns):
        r.line("AB"[i % 2], f"more {i}")
        r.run(1)
    r.run(deep.min_seconds + 3600)
    assert r.phases == [(ice.min_seconds, "deep_dive"), (ice.min_seconds + deep.min_seconds, "decision")]
    # quiet (no transcript, say no speech recognition): it moves at max_seconds
    q = Replay(timing=Timing(silence=1000, cooldown=1000, turns_without_ai=1000))
    q.run(3 * 3600, step=1)
    assert q.phases == [(ice.max_seconds, "deep_dive"), (ice.max_seconds + deep.max_seconds, "decision")]
    # lines follow the phase
    r2 = _chatty_session(2, 1500)
    phases = [p.line.phase for _, _, p in r2.said]
    assert phases[0] == "icebreaker" and phases[-1] == "decision" and "deep_dive" in phases


def test_requests_are_recognised() -> None:
    assert classify_request("this is so awkward haha") == AWKWARD
    assert classify_request("HeartLink, help!") == AWKWARD
    assert classify_request("Hey HeartLink, what should we talk about?") == ASKED
    assert classify_request("ok host, ask us something") == ASKED
    assert classify_request("what should we talk about") == ASKED
    assert classify_request("can you help us out") == AWKWARD
    assert classify_request("I host dinners sometimes") is None
    assert classify_request("I help my sister with her shop") is None
    assert classify_request("what do you do?") is None


def test_the_line_fits_the_pair() -> None:
    rng = random.Random(3)
    snap = {
        "phase": "icebreaker",
        "participant_profiles": {
            "A": {"name": "Alice", "hobbies": ["Hiking", "jazz"]},
            "B": {"name": "Bob", "interests": ["hiking", "chess"]},
        },
        "transcript": [
            {"speaker": "A", "text": "I spent the weekend in the mountains, the mountains are my place, Bob"},
            {"speaker": "B", "text": "nice"},
            {"speaker": "AI", "text": "What mountains?"},
        ],
    }
    ctx = build_context(snap, spice=3, mild=False, rng=rng, topics=("mountains",))
    assert ctx.name == "Bob" and ctx.other == "Alice"  # Bob said less: he is addressed
    assert ctx.shared == ("Hiking",) and ctx.interests == ("hiking", "chess")
    assert ctx.topics == ("mountains",)
    texts = set()
    for seed in range(40):
        pick = choose_line(DECKS, ctx, set(), random.Random(seed))
        assert pick is not None and "{" not in pick.text
        texts.add(pick.text)
    assert any("Hiking" in t or "mountains" in t or "Bob" in t for t in texts)
    # without shared interests or topics, lines that need them are never chosen
    bare = build_context(
        {"participant_profiles": {"A": {"name": "Al"}, "B": {"name": "Bo"}}}, spice=4, mild=False, rng=rng
    )
    for seed in range(60):
        pick = choose_line(DECKS, bare, set(), random.Random(seed))
        assert pick is not None and not pick.line.needs & {"shared", "interest", "topic"}
    # an awkward moment gets a mild rescue line even in an Inferno session
    mild = choose_line(DECKS, build_context(snap, spice=4, mild=True, rng=rng), set(), rng)
    assert mild is not None and mild.line.kind == "rescue" and mild.line.spice <= 2


def test_when_every_line_is_used_it_stays_quiet() -> None:
    ctx = build_context(
        {"phase": "decision", "participant_profiles": {}}, spice=1, mild=False, rng=random.Random(1)
    )
    used = {ln.id for ln in DECKS}
    assert choose_line(DECKS, ctx, used, random.Random(1)) is None


EVENTS = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=40),
        st.sampled_from(["line", "ask", "speak", "stop", "ai", "host"]),
        st.sampled_from("AB"),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(EVENTS)
def test_wake_time_is_never_later_than_the_next_decision(events: list[tuple[float, str, str]]) -> None:
    """The engine sleeps until wake_at: nothing comes due before it, and something is due at it."""
    timing = Timing(silence=5, cooldown=9, turns_without_ai=4)
    conv = Conversation(T0, phase="icebreaker", active=True)
    now = T0
    for gap, kind, role in events:
        now += timedelta(seconds=gap)
        if kind == "line":
            conv.on_line(role, "just talking", now)
        elif kind == "ask":
            conv.on_line(role, "this is awkward", now)
        elif kind in ("speak", "stop"):
            conv.on_audio(role, kind == "speak", now)
        elif kind == "ai":
            conv.on_ai(now)
        else:
            conv.host_request = True
        wake = conv.wake_at(now, timing)
        if wake is not None and wake <= now:  # due now: something must be due, or the engine spins
            assert conv.decide(now, timing) is not None or conv.next_phase(now) is not None
        t = now
        while t < now + timedelta(seconds=200) and (wake is None or t < wake):
            assert conv.decide(t, timing) is None and conv.next_phase(t) is None, (t, wake)
            t += timedelta(seconds=0.5)


def test_with_nothing_left_to_say_it_waits_for_the_next_lull() -> None:
    """No busy loop: after coming up empty, the next try is a whole silence later."""
    conv = Conversation(T0, phase="decision", active=True)
    now = T0 + timedelta(seconds=30)
    assert conv.decide(now, TIMING) == Decision(LULL, now)
    conv.on_nothing(now)
    assert conv.decide(now, TIMING) is None
    assert conv.wake_at(now, TIMING) == now + timedelta(seconds=TIMING.silence)
