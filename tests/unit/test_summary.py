"""The offline end-of-session summary, from a session snapshot and its topics (core/summary.py).
The same with the real language model on the issue's conversation: tests/unit/test_listening.py."""

from __future__ import annotations

from typing import Any

from heartlink_desktop.core.summary import facts, offline_summary
from heartlink_desktop.core.topics import ACTIVITY, PLACE, THING, Heard, Mention, topics


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
            {"speaker": "AI", "text": "Alice, what's the best part of the Vercors?", "phase": "icebreaker"},
            {"speaker": "A", "text": "The plateau at dawn, when the Vercors is empty and the mist lifts"},
            {"speaker": "B", "text": "Bob says: cook for people you like"},
            {"speaker": "AI", "text": "Tell each other about a trip.", "phase": "deep_dive"},
        ],
    }
    base.update(more)
    return base


def m(text: str, kind: str = THING, key: str = "", avoid: bool = False) -> Mention:
    return Mention(text, key or text.lower(), kind, avoid=avoid)


# What the parser finds in snapshot()'s lines (tests/unit/test_listening.py checks the real one).
HEARD = [
    Heard("A", 0, (m("hiking", ACTIVITY, "hike"), m("mountains", key="mountain"), m("Grenoble", PLACE))),
    Heard("B", 1, (m("Mountains", key="mountain"),)),
    Heard("A", 2, (m("Vercors", PLACE), m("mountains", key="mountain"))),
    Heard("A", 3, (m("plateau"), m("Vercors", PLACE), m("mist"))),
    Heard("B", 4, ()),
]


def test_the_summary_says_what_they_talked_about_in_their_words() -> None:
    text = offline_summary(snapshot(), topics(HEARD, ["Alice", "Bob"]))
    assert text.startswith("Alice and Bob both talked about mountains. Alice also told Bob about Vercors, ")
    for said in ("hiking", "Grenoble"):  # three topics of each person's at most: Vercors, Grenoble, hiking
        assert said in text
    assert "plateau" not in text and "Bob also" not in text
    assert text.count("mountains") == 1 and text.count("Vercors") == 1 + 1  # once, and in the quote
    assert "Alice took up HeartLink's question “Alice, what's the best part of the Vercors?”." in text
    assert text.endswith("About 12 minutes, 5 lines; Alice did most of the talking (74% of the words).")
    assert "phase" not in text and "lines (" not in text  # no statistic without a reason to read it


def test_one_sided_talk_and_what_nobody_wants_named() -> None:
    snap = snapshot(
        phase="icebreaker",
        participant_profiles={"A": {"name": "Ann"}, "B": {"name": "Ben", "hobbies": ["golf"]}},
        transcript=[
            {"speaker": "A", "text": "golf " * 40},
            {"speaker": "B", "text": "I'd rather not talk about my divorce"},
        ],
    )
    heard = [Heard("A", 0, (m("golf"),)), Heard("B", 1, (m("divorce", avoid=True),))]
    text = offline_summary(snap, topics(heard, ["Ann", "Ben"]))
    assert "Ann told Ben about golf." in text and "divorce" not in text
    assert text.endswith("2 lines; Ann did most of the talking (85% of the words).")


def test_nothing_transcribed_nothing_found_and_nobody_joined() -> None:
    quiet = offline_summary(snapshot(transcript=[], last_activity="2026-11-25T21:00:20+00:00"))
    assert quiet == "Alice and Bob met; nothing they said was transcribed."
    bare = offline_summary(snapshot(transcript=[{"speaker": "A", "text": "hm"}]), [])
    assert bare.startswith("Alice and Bob talked, without settling on a topic.")
    alone = offline_summary({"phase": "waiting", "participant_profiles": {"A": {"name": "Alice"}}})
    assert alone == ""  # no conversation, nothing to sum up
    assert offline_summary({"participant_profiles": {"A": {}, "B": {}}})  # a bare record still gets one


def test_facts_feed_the_llm_prompt() -> None:
    f = facts(snapshot())
    assert f.names == {"A": "Alice", "B": "Bob"} and f.lines == {"A": 3, "B": 2}
    assert f.questions == ["Alice, what's the best part of the Vercors?"] and f.ai_lines == 2
    assert f.phases == ["icebreaker", "deep_dive"] and f.minutes == 12
