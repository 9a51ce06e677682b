"""What the LLM is told, and how its reply becomes one clean facilitator line."""

from __future__ import annotations

import random

import pytest

from heartlink_desktop.agent.llm import LLMConfig, endpoint
from heartlink_desktop.agent.prompt import (
    check_line,
    check_summary,
    clean_reply,
    cut,
    interjection_messages,
    summary_messages,
)
from heartlink_desktop.core.lines import build_context
from heartlink_desktop.core.pacing import AWKWARD
from heartlink_desktop.core.summary import facts
from heartlink_desktop.core.topics import ACTIVITY, PLACE, THING, Heard, Mention, topics

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


HEARD = topics(
    [
        Heard(
            "A", 0, (Mention("Mont Aiguille", "mont aiguille", PLACE), Mention("climbing", "climb", ACTIVITY))
        ),
        Heard("B", 1, (Mention("divorce", "divorce", THING, avoid=True), Mention("chess", "chess", THING))),
        Heard("A", 2, (Mention("chess", "chess", THING),)),
    ]
)


def test_the_llm_gets_the_topics_who_brought_them_up_and_what_to_avoid() -> None:
    ctx = build_context(SNAP, spice=2, mild=False, rng=random.Random(1))
    _, user = interjection_messages(SNAP, ctx, "lull", HEARD, frozenset({"chess"}))
    content = user["content"]
    assert "- Mont Aiguille (place; brought up by Alice)" in content
    assert (
        "- chess (thing; brought up by Bob, and Alice picked it up) (your last line was about this" in content
    )
    assert "Never ask about (they dislike it or would rather not talk about it): divorce." in content
    _, s_user = summary_messages(SNAP, facts(SNAP), HEARD)
    assert "- climbing (activity; brought up by Alice)" in s_user["content"]


def test_an_llm_line_is_checked_like_an_offline_one() -> None:
    said = ["What drew you to climbing?"]
    last = frozenset({"chess"})
    assert check_line("", said, HEARD, last, follow_up=False) == "empty"
    assert check_line("what drew you to Climbing", said, HEARD, last, follow_up=False) == "a repeat"
    assert check_line("Bob, how was the divorce?", said, HEARD, last, follow_up=False) == (
        "a topic they would rather not talk about"
    )
    assert check_line("Alice, how long have you played chess?", said, HEARD, last, follow_up=False) == (
        "the same topic as its line before"
    )
    assert (
        check_line("What's your favourite colour?", said, HEARD, last, follow_up=True)
        == "names nothing they said"
    )
    assert check_line("What's your favourite colour?", said, HEARD, last, follow_up=False) is None
    assert check_line("Bob, have you been up Mont Aiguille?", said, HEARD, last, follow_up=True) is None


def test_an_llm_summary_is_checked_too() -> None:
    good = "Alice told Bob about Mont Aiguille and climbing; they both like chess. A short, even talk."
    assert check_summary(good, SNAP, HEARD) is None
    assert check_summary("", SNAP, HEARD) == "empty"
    assert (
        check_summary("They talked about chess. They talked about chess.", SNAP, HEARD)
        == "a sentence said twice"
    )
    assert check_summary("Alice and Bob talked about chess and climbing.", SNAP, HEARD) == (
        "names 2 of their topics, not 3"
    )
    assert (
        check_summary(good + " Bob's divorce came up.", SNAP, HEARD)
        == "a topic they would rather not talk about"
    )
    assert check_summary(good + " They both love Paris.", SNAP, HEARD) == "names 'Paris', which nobody said"
