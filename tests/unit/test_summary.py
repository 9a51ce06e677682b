"""The offline end-of-session summary, from a session snapshot."""

from __future__ import annotations

from typing import Any

from heartlink_desktop.core.summary import facts, offline_summary


def snapshot(**more: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "session_id": "session_20261125_210000",
        "phase": "deep_dive",
        "created_at": "2026-11-25T21:00:00+00:00",
        "last_activity": "2026-11-25T21:12:10+00:00",
        "participant_profiles": {
            "A": {"name": "Alice", "hobbies": ["hiking", "Jazz"], "interests": ["chess"]},
            "B": {"name": "Bob", "hobbies": ["jazz"], "interests": ["Hiking", "cooking"]},
        },
        "transcript": [
            {"speaker": "A", "text": "I love hiking in the mountains near Grenoble"},
            {"speaker": "B", "text": "Mountains, really? Which ones?"},
            {"speaker": "A", "text": "The Vercors mostly; the mountains there are gentle and quiet"},
            {
                "speaker": "AI",
                "text": "What's the best piece of advice you've ever been given?",
                "phase": "icebreaker",
            },
            {"speaker": "B", "text": "Bob says: cook for people you like"},
            {"speaker": "AI", "text": "Tell each other about a trip.", "phase": "deep_dive"},
        ],
    }
    base.update(more)
    return base


def test_the_summary_says_who_spoke_how_much_and_what_about() -> None:
    text = offline_summary(snapshot())
    assert text.startswith(
        "Alice and Bob talked over about 12 minutes: Alice said 2 lines (18 words), Bob 2 lines (11 words)."
    )
    assert "They shared the talking fairly evenly." in text  # 62% / 38% counts as even
    assert "Shared interests: hiking and Jazz." in text
    assert "Topics that came up: mountains," in text  # said three times; names are never topics
    assert "bob" not in text.split("Topics that came up:")[1].split(".")[0].lower()
    assert "HeartLink asked 1 question: “What's the best piece of advice you've ever been given?”." in text
    assert "The conversation reached the deep dive phase (icebreaker → deep dive)." in text


def test_one_sided_talk_and_no_shared_interests() -> None:
    snap = snapshot(
        phase="icebreaker",
        participant_profiles={"A": {"name": "Ann"}, "B": {"name": "Ben", "hobbies": ["golf"]}},
        transcript=[{"speaker": "A", "text": "word " * 40}, {"speaker": "B", "text": "yes"}],
    )
    text = offline_summary(snap)
    assert "Ann did most of the talking (about 98%)." in text
    assert "Their profiles listed no shared interests." in text
    assert "HeartLink did not need to step in." in text
    assert "reached the icebreaker phase (icebreaker)." in text


def test_nothing_transcribed_and_nobody_joined() -> None:
    quiet = offline_summary(snapshot(transcript=[], last_activity="2026-11-25T21:00:20+00:00"))
    assert quiet.startswith("Alice and Bob met; nothing they said was transcribed.")
    alone = offline_summary({"phase": "waiting", "participant_profiles": {"A": {"name": "Alice"}}})
    assert alone == ""  # no conversation, nothing to sum up
    assert offline_summary({"participant_profiles": {"A": {}, "B": {}}})  # a bare record still gets one


def test_facts_feed_the_llm_prompt() -> None:
    f = facts(snapshot())
    assert f.names == {"A": "Alice", "B": "Bob"} and f.lines == {"A": 2, "B": 2}
    assert f.questions == ["What's the best piece of advice you've ever been given?"] and f.ai_lines == 2
    assert f.phases == ["icebreaker", "deep_dive"] and f.minutes == 12
