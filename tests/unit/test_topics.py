"""Topics, avoidance and follow-up choice, pure (core/topics.py, core/lines.py): phrases given
as the parser gives them. The real parser on real lines: tests/unit/test_listening.py."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from heartlink_desktop.agent.decks import load_decks
from heartlink_desktop.core.lines import Context, choose_followup, offline_line, render
from heartlink_desktop.core.topics import (
    ACTIVITY,
    PERSON,
    PLACE,
    THING,
    Heard,
    Mention,
    mark_avoided,
    named_in,
    plain_mentions,
    topics,
)

DECKS = load_decks()
NAMES = {"A": "Ann", "B": "Ben"}


def m(text: str, kind: str = THING, key: str = "", article: str = "") -> Mention:
    return Mention(text, key or text.lower(), kind, article=article)


def ctx(phase: str = "icebreaker", spice: int = 2, mild: bool = False) -> Context:
    return Context(phase=phase, spice=spice, name="Ann", other="Ben", mild=mild)


def test_phrases_merge_into_topics_with_who_brought_them_up() -> None:
    heard = [
        Heard("A", 0, (m("Ben", PERSON), m("hiking", ACTIVITY, "hike"), m("Patagonia", PLACE))),
        Heard("B", 1, (m("Patagonia", PLACE), m("Monk", PERSON))),
        Heard("B", 2, (m("Thelonious Monk", PERSON), m("Hiking", ACTIVITY, "hiking"))),
        Heard("A", 3, (m("HeartLink", THING),)),
    ]
    found = {t.text: t for t in topics(heard, exclude=["Ann", "Ben", "HeartLink"])}
    assert set(found) == {"hiking", "Patagonia", "Thelonious Monk"}  # names are no topics
    assert found["Patagonia"].by == "A" and found["Patagonia"].picked_up
    assert found["hiking"].picked_up and found["hiking"].count == 2  # "Hiking!" is the same thing
    monk = found["Thelonious Monk"]
    assert monk.by == "B" and not monk.picked_up and monk.count == 2 and monk.key == "thelonious monk"


def test_what_someone_would_rather_not_talk_about_is_marked() -> None:
    def avoided(text: str, *said: str) -> set[str]:
        mentions = [Mention(w, w, THING, text.index(w)) for w in said]
        return {x.text for x in mark_avoided(text, mentions) if x.avoid}

    assert avoided(
        "I'd rather not talk about my divorce, honestly. Lisbon is great", "divorce", "Lisbon"
    ) == {"divorce"}
    assert avoided("I hate running but love swimming", "running", "swimming") == {"running"}
    assert avoided("My ex is a sore subject.", "ex") == {"ex"}
    assert avoided("I don't really like crowded beaches", "beaches") == {"beaches"}
    assert avoided("Please don't ask about work. Tell me about Lisbon", "work", "Lisbon") == {"work"}
    assert avoided("I love my work and Lisbon", "work", "Lisbon") == set()
    # the plain parser marks them too, and one person's "rather not" holds for both of them
    heard = [Heard("A", 0, plain_mentions("Let's not talk about politics")), Heard("B", 1, (m("politics"),))]
    [politics] = topics(heard)
    assert politics.avoided and politics.avoided_by == {"A"}


def test_a_follow_up_names_what_was_said_to_the_teller_or_the_other() -> None:
    heard = [
        Heard("B", 0, (m("beagle", article="my"),)),
        Heard("A", 1, (m("Patagonia", PLACE), m("divorce"))),
        Heard("A", 2, (Mention("divorce", "divorce", THING, avoid=True),)),
    ]
    found = topics(heard)
    seen: dict[str, set[str]] = {"teller": set(), "listener": set()}
    for seed in range(60):
        pick = choose_followup(
            DECKS,
            ctx(),
            found,
            NAMES,
            latest=2,
            last=frozenset(),
            asked=set(),
            used=set(),
            rng=random.Random(seed),
        )
        assert pick is not None and pick.line.kind == "followup" and "{" not in pick.text
        assert "divorce" not in pick.text  # never what someone would rather not talk about
        assert [t.text for t in named_in(pick.text, found)] == [
            next(t.text for t in found if t.key == pick.topic)
        ]
        seen[pick.line.to].add(pick.text.split(",")[0])
    assert seen == {"teller": {"Ann"}, "listener": {"Ben"}}  # Ann said Patagonia, the best topic
    [beagle] = [t for t in found if t.key == "beagle"]
    asked = {"patagonia"}  # asked about already: the beagle comes next
    texts = set()
    for seed in range(60):
        pick = choose_followup(
            DECKS,
            ctx(),
            found,
            NAMES,
            latest=2,
            last=frozenset(),
            asked=asked,
            used=set(),
            rng=random.Random(seed),
        )
        assert pick is not None and pick.topic == "beagle"
        texts.add(pick.text)
    assert any(t.startswith("Ben, ") and "your beagle" in t for t in texts)
    assert any(t.startswith("Ann, ") and "Ben's beagle" in t for t in texts)
    assert render(beagle, True, "Ben") == "your beagle" and render(beagle, False, "Ben") == "Ben's beagle"


def test_never_the_same_topic_twice_in_a_row_and_new_topics_first() -> None:
    heard = [Heard("A", 0, (m("Patagonia", PLACE),)), Heard("B", 1, (m("jazz piano", ACTIVITY),))]
    found = topics(heard)
    rng = random.Random(1)
    first = choose_followup(
        DECKS, ctx(), found, NAMES, latest=1, last=frozenset(), asked=set(), used=set(), rng=rng
    )
    assert first is not None
    second = choose_followup(
        DECKS,
        ctx(),
        found,
        NAMES,
        latest=1,
        last=frozenset({first.topic}),
        asked={first.topic},
        used=set(),
        rng=rng,
    )
    assert second is not None and second.topic != first.topic
    only = choose_followup(
        DECKS,
        ctx(),
        found[:1],
        NAMES,
        latest=1,
        last=frozenset({found[0].key}),
        asked=set(),
        used=set(),
        rng=rng,
    )
    assert only is None  # its one topic was the line before's: a deck line instead (offline_line)


def test_a_lull_with_nothing_said_gets_a_deck_opening_and_awkward_gets_a_rescue() -> None:
    for seed in range(20):
        opening = offline_line(
            DECKS,
            ctx(),
            [],
            NAMES,
            latest=-1,
            last=frozenset(),
            asked=set(),
            used=set(),
            rng=random.Random(seed),
        )
        assert opening is not None and opening.line.kind in ("question", "prompt") and not opening.topic
    found = topics([Heard("A", 0, (m("Patagonia", PLACE),))])
    rescue = offline_line(
        DECKS,
        ctx(mild=True),
        found,
        NAMES,
        latest=0,
        last=frozenset(),
        asked=set(),
        used=set(),
        rng=random.Random(1),
    )
    assert rescue is not None and rescue.line.kind == "rescue"


WORDS = st.sampled_from(["Patagonia", "jazz", "Max", "divorce", "Lisbon", "octopus", "running"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), st.lists(WORDS, max_size=3), st.booleans()), max_size=14))
def test_follow_ups_never_ask_about_an_avoided_topic_nor_repeat_the_last(
    script: list[tuple[str, list[str], bool]],
) -> None:
    heard = [
        Heard(role, i, tuple(Mention(w, w.lower(), THING, avoid=avoid) for w in said))
        for i, (role, said, avoid) in enumerate(script)
    ]
    found = topics(heard)
    rng = random.Random(len(script))
    last: frozenset[str] = frozenset()
    asked: set[str] = set()
    used: set[str] = set()
    for _ in range(4):
        pick = offline_line(
            DECKS, ctx(), found, NAMES, latest=len(heard) - 1, last=last, asked=asked, used=used, rng=rng
        )
        if pick is None:
            break
        named = {t.key for t in named_in(pick.text, found)}
        assert not any(t.avoided for t in found if t.key in named)
        assert not (named and named <= last)
        used.add(pick.line.id)
        last = frozenset(named)
        asked |= named
