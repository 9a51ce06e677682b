"""The facilitator end to end: real host, real Socket.IO clients over TLS, short timings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from heartlink_desktop.agent import Facilitator
from heartlink_desktop.agent.nlp import SpacyEar
from heartlink_desktop.core import pacing as policy
from heartlink_desktop.core.events import Event
from heartlink_desktop.server.host import HostServer
from tests.support import Clients, Serve, until

pytestmark = pytest.mark.asyncio


def facilitator(host: HostServer) -> Facilitator:
    """The engine `agent.install` put on the host, as the app builds it."""
    engine = getattr(host, "facilitator", None)
    assert isinstance(engine, Facilitator)
    return engine


async def model_ready(host: HostServer) -> None:
    """Wait until the language model has loaded in its worker (shared by the test run's hosts)."""
    ear = facilitator(host).hearing.ear
    assert isinstance(ear, SpacyEar) and await ear.warm()


def used_lines(host: HostServer, session_id: str) -> set[str]:
    state = facilitator(host).state(session_id)
    assert state is not None
    return state.used


SILENCE, COOLDOWN = 1, 1.5  # the cooldown to the tick: tests/unit/test_facilitator.py


def ts(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(payload["timestamp"])


def gap(later: dict[str, Any], earlier: dict[str, Any]) -> float:
    return (ts(later) - ts(earlier)).total_seconds()


async def test_a_lull_brings_one_line_to_both_then_cooldown_then_a_new_line(serve: Serve) -> None:
    host, clients = await serve(silence_seconds=SILENCE, cooldown_seconds=COOLDOWN)
    await model_ready(host)
    ended_records: list[Event] = []
    host.rooms.subscribe(lambda e: ended_records.append(e) if e.kind == "ended" else None)
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "Hi Bob, I spent the weekend hiking in the Alps"})
    await b.wait_for("transcript_update", 1)
    await b.emit("transcript_update", {"text": "Hiking! I love the Alps too"})
    second_line = await a.wait_for("transcript_update", 2)

    first = await a.wait_for("ai_interjection")  # they fell silent
    assert await b.wait_for("ai_interjection") == first  # both get the very same line
    assert first["agent_id"] == "janitor_01" and first["source"] == "builtin"
    assert first["phase"] == "icebreaker" and first["session_id"] == second_line["session_id"]
    assert first["text"] and "{" not in first["text"]
    assert gap(first, second_line) >= SILENCE

    await b.emit("transcript_update", {"text": "Good question, let me think"})  # one answers
    answer = await a.wait_for("transcript_update", 3)
    second = await a.wait_for("ai_interjection", 2)  # the next lull
    assert await b.wait_for("ai_interjection", 2) == second
    assert gap(second, first) >= COOLDOWN  # nothing came before the cooldown ran out
    assert gap(second, answer) >= SILENCE
    assert second["text"] != first["text"]
    assert len(a.received["ai_interjection"]) == 2 == len(b.received["ai_interjection"])

    # the AI lines are in the transcript (and the session file) with speaker AI
    await host.flush()  # session files are written off the loop
    [path] = host.store.files()
    await until(lambda: sum(e["speaker"] == "AI" for e in json.loads(path.read_text())["transcript"]) == 2)
    saved = json.loads(path.read_text())
    ai = [e for e in saved["transcript"] if e["speaker"] == "AI"]
    assert [e["text"] for e in ai] == [first["text"], second["text"]]
    assert all(e["source"] == "builtin" and e["name"] == "HeartLink" for e in ai)

    await a.emit("leave")
    for peer in (a, b):
        ended = await peer.wait_for("session_ended")
        assert ended["reason"] == "peer_left"
        assert ended["summary"].startswith("Alice and Bob both talked about the Alps and hiking.")
    [record] = ended_records
    assert record.data["summary"] == ended["summary"]


async def test_speech_reaches_the_facilitator_and_a_line_comes_once_it_stops(serve: Serve) -> None:
    """End to end: the speaking flag reaches the facilitator, and the line comes a silence after
    the talk ends. That nothing comes while one speaks is tests/unit/test_facilitator.py."""
    host, clients = await serve(silence_seconds=1, cooldown_seconds=1)
    a, b = await clients.pair()
    await a.emit("audio_activity", {"speaking": True})
    await a.emit("transcript_update", {"text": "so there I was, telling a long story"})
    session_id = (await b.wait_for("transcript_update"))["session_id"]
    state = facilitator(host).state(session_id)
    assert state is not None
    await until(lambda: "A" in state.speaking)
    await a.emit("audio_activity", {"speaking": False})
    await until(lambda: "A" not in state.speaking)
    await b.emit("transcript_update", {"text": "wow"})
    wow = await a.wait_for("transcript_update", 2)
    line = await b.wait_for("ai_interjection")
    assert gap(line, wow) >= 1


async def test_a_call_for_help_gets_a_mild_line_at_once(serve: Serve) -> None:
    host, clients = await serve(silence_seconds=60, cooldown_seconds=60, spiciness=4)
    a, b = await clients.pair()
    await b.emit("transcript_update", {"text": "HeartLink, this is getting awkward"})
    asked = await a.wait_for("transcript_update")
    line = await a.wait_for("ai_interjection")
    assert gap(line, asked) < 5  # long before the 60 s lull
    [used] = used_lines(host, line["session_id"])
    kind_spice = {ln.id: (ln.kind, ln.spice) for ln in facilitator(host).lines}[used]
    assert kind_spice[0] == "rescue" and kind_spice[1] <= 2  # mild, in an Inferno session


async def test_a_peers_own_spice_level_caps_the_lines(serve: Serve) -> None:
    host, clients = await serve(silence_seconds=1, cooldown_seconds=1, spiciness=4)
    a, b = await clients.new("a"), await clients.new("b")
    await a.join("Alice")
    info = await b.join("Bob", spice_level=1)
    for n in (1, 2, 3):
        await a.wait_for("ai_interjection", n)
        if n < 3:  # no answer to the third: no fourth line while we look
            await b.emit("transcript_update", {"text": f"answer {n}"})
    levels = {ln.id: ln.spice for ln in facilitator(host).lines}
    used = used_lines(host, info["session_id"])
    assert len(used) == 3 and {levels[i] for i in used} == {1}


async def test_the_host_asks_for_a_line_and_moves_the_phase(host: HostServer, clients: Clients) -> None:
    a, b = await clients.pair()
    session_id = (await a.wait_for("session_info"))["session_id"]
    assert not facilitator(host).interject_now("session_19990101_000000")
    facilitator(host).set_phase(session_id, "decision")
    for peer in (a, b):
        assert (await peer.wait_for("phase_changed", 2)) == {"session_id": session_id, "phase": "decision"}
    assert facilitator(host).interject_now(session_id)  # the default 8 s silence has not passed
    line = await b.wait_for("ai_interjection")
    assert line["phase"] == "decision" and line["source"] == "builtin"
    assert (await a.wait_for("ai_interjection")) == line
    assert facilitator(host).interject_now(session_id)  # the host may ask again at once
    assert (await b.wait_for("ai_interjection", 2))["text"] != line["text"]
    await host.end_session(session_id)
    assert not facilitator(host).interject_now(session_id)


async def test_phases_advance_on_their_own(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policy.PHASE_RULES, "icebreaker", policy.PhaseRule("deep_dive", 0.5, 1, 1.5))
    host, clients = await serve(silence_seconds=60)
    a, b = await clients.pair()
    assert (await a.wait_for("phase_changed"))["phase"] == "icebreaker"
    await a.emit("transcript_update", {"text": "hello"})
    moved = await b.wait_for("phase_changed", 2)
    assert moved["phase"] == "deep_dive"
    await host.flush()  # session files are written off the loop
    [path] = host.store.files()
    await until(lambda: json.loads(path.read_text())["phase"] == "deep_dive")


async def test_a_lull_with_nothing_said_gets_a_deck_opening(serve: Serve) -> None:
    host, clients = await serve(silence_seconds=SILENCE, cooldown_seconds=COOLDOWN)
    a, _ = await clients.pair()
    line = await a.wait_for("ai_interjection")  # nobody said a word
    [used] = used_lines(host, line["session_id"])
    kind = {ln.id: ln.kind for ln in facilitator(host).lines}[used]
    assert kind in ("question", "prompt") and "{" not in line["text"]


async def test_a_follow_up_names_what_was_said_and_never_what_they_avoid(serve: Serve) -> None:
    """The language model in its worker process, the real host and clients: the line after a
    lull asks about something this pair said, never about what one would rather not discuss."""
    host, clients = await serve(silence_seconds=SILENCE, cooldown_seconds=COOLDOWN)
    await model_ready(host)
    a, b = await clients.new("a"), await clients.new("b")
    await a.join("Ann")
    await b.join("Ben")
    opening = await a.wait_for("ai_interjection")  # the lull before anyone spoke
    said = [
        (a, "I just got back from two weeks hiking in Patagonia, at Torres del Paine."),
        (b, "I'd rather not talk about my divorce, honestly. I learn jazz piano every evening."),
        (a, "Jazz piano! My grandfather loved Thelonious Monk."),
    ]
    for n, (peer, text) in enumerate(said, 1):
        await peer.emit("transcript_update", {"text": text})
        await a.wait_for("transcript_update", n)
    follow = await a.wait_for("ai_interjection", 2)
    assert await b.wait_for("ai_interjection", 2) == follow
    text = follow["text"]
    assert text != opening["text"] and "divorce" not in text.lower()
    assert any(
        t in text for t in ("Patagonia", "Torres del Paine", "jazz piano", "Thelonious Monk", "hiking")
    )
    state = facilitator(host).state(follow["session_id"])
    assert state is not None and state.last_topics  # it knows what it asked about: not again next
    first_topics = state.last_topics

    await b.emit("transcript_update", {"text": "Monk is the best, honestly."})
    again = await a.wait_for("ai_interjection", 3)
    assert "divorce" not in again["text"].lower() and again["text"] != text
    assert not state.last_topics or state.last_topics != first_topics  # never the same topic twice in a row
    await a.emit("leave")
    ended = await b.wait_for("session_ended")
    assert "divorce" not in ended["summary"] and "Patagonia" in ended["summary"]
