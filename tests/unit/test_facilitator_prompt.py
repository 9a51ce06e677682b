"""What the LLM is told, and how its reply becomes one clean facilitator line."""

from __future__ import annotations

import random

import pytest

from heartlink_desktop.agent.llm import LLMConfig, endpoint
from heartlink_desktop.agent.prompt import clean_reply, cut, interjection_messages, summary_messages
from heartlink_desktop.core.lines import build_context
from heartlink_desktop.core.pacing import AWKWARD
from heartlink_desktop.core.summary import facts

SNAP = {
    "session_id": "session_20261125_210000",
    "phase": "deep_dive",
    "participant_profiles": {
        "A": {"name": "Alice", "age": 29, "hobbies": ["hiking"], "goal": "something real"},
        "B": {"name": "Bob", "interests": ["hiking", "chess"], "personality_type": "introvert"},
    },
    "transcript": [
        {"speaker": "A", "name": "Alice", "text": "I climbed Mont Aiguille last summer"},
        {"speaker": "AI", "name": "HeartLink", "text": "What drew you to climbing?"},
        {"speaker": "B", "name": "Bob", "text": "this is awkward"},
    ],
}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "HeartLink: What's a place you'd love to show each other?",
            "What's a place you'd love to show each other?",
        ),
        ('**HeartLink:** "Bob, what made you smile today?"', "Bob, what made you smile today?"),
        ("Assistant - “Tell each other one small win.”", "Tell each other one small win."),
        ("<think>they seem shy, keep it light</think>\nAI: Cats or dogs?", "Cats or dogs?"),
        ("Cats or dogs?\nAlice: Dogs!\nBob: Cats.", "Cats or dogs?"),
        ("What's your favourite season?\nB: winter", "What's your favourite season?"),
        ("  Two  lines\nof   one thought.  ", "Two lines of one thought."),
        (
            "Hostile takeover of the conversation: who wins?",
            "Hostile takeover of the conversation: who wins?",
        ),
    ],
)
def test_reply_cleaning(raw: str, clean: str) -> None:
    assert clean_reply(raw, ("Alice", "Bob")) == clean


def test_long_replies_are_cut_on_a_boundary() -> None:
    sentences = "This is a sentence of some length. " * 12
    out = cut(sentences.strip(), 300)
    assert len(out) <= 300 and out.endswith("length.")
    words = "word " * 100
    out = cut(words.strip(), 300)
    assert len(out) <= 300 and out.endswith("word…") and "wor…" not in out
    assert cut("short", 300) == "short"
    assert len(clean_reply("x" * 1000)) <= 300


def test_the_prompt_carries_phase_spice_names_interests_and_turns() -> None:
    ctx = build_context(SNAP, spice=3, mild=True, rng=random.Random(1))
    system, user = interjection_messages(SNAP, ctx, AWKWARD)
    assert system["role"] == "system" and user["role"] == "user"
    assert "Spiciness 3 (Hot)" in system["content"] and "deep and meaningful" in system["content"]
    assert "deep dive" in system["content"]
    for needle in (
        "Alice; 29; likes hiking; looking for: something real",
        "Bob; introvert; likes hiking, chess",
        "Shared interests: hiking.",
        "Alice: I climbed Mont Aiguille last summer",
        "HeartLink: What drew you to climbing?",
        "Bob: this is awkward",
        "awkward",
    ):
        assert needle in user["content"]
    s_system, s_user = summary_messages(SNAP, facts(SNAP))
    assert "Alice and Bob" in s_system["content"] and "What drew you to climbing?" in s_user["content"]


def test_endpoint_and_the_key_is_never_shown() -> None:
    assert endpoint("http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1/chat/completions"
    assert endpoint("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/v1/chat/completions"
    assert endpoint("https://h/x/v1/chat/completions") == "https://h/x/v1/chat/completions"
    assert "s3cret" not in repr(LLMConfig("http://h", "m", "s3cret"))
