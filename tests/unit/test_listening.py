"""The facilitator's ear with the real language model (loaded in this process once), on the
issue's conversation and on the benchmark's ten scripted conversations: the goals of issue 23.
The model in its worker process, end to end: tests/integration/test_facilitator.py."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from benchmarks.conversations import PATAGONIA, SCRIPTS, Script
from benchmarks.facilitator import mentions, replay
from heartlink_desktop.agent import nlp
from heartlink_desktop.core.topics import Heard, Mention, mark_avoided, topics

MODEL = nlp.load_model()


class InProcessEar:
    """The worker's parse, without the worker: the same functions, called here."""

    async def mentions(self, text: str) -> tuple[Mention, ...]:
        return mark_avoided(text, (Mention(*f) for f in nlp.phrases(MODEL(text))))


def heard(script: Script) -> list[Heard]:
    ear = InProcessEar()
    return [Heard(role, i, asyncio.run(ear.mentions(text))) for i, (role, text) in enumerate(script.lines)]


def test_the_issues_conversation_has_its_topics_and_not_its_filler() -> None:
    found = {t.text: t for t in topics(heard(PATAGONIA), exclude=PATAGONIA.names)}
    for said in ("Patagonia", "Torres del Paine", "jazz piano", "Thelonious Monk", "Max", "campfire guitar"):
        assert said in found, (said, sorted(found))
    assert found["Patagonia"].by == "A" and found["Patagonia"].picked_up
    assert found["jazz piano"].by == "B" and found["Thelonious Monk"].by == "B"
    assert found["hiking"].kind == "activity" and found["Patagonia"].kind == "place"
    words = {w.lower() for t in found for w in t.split()}
    assert not words & {"lies", "minutes", "weeks", "ben", "ann", "time"}


def test_dislikes_and_subjects_to_avoid_are_found_in_real_sentences() -> None:
    said = asyncio.run(
        InProcessEar().mentions("I'd rather not talk about my divorce. I moved to Lisbon in March.")
    )
    assert {(m.text, m.avoid) for m in said} == {("divorce", True), ("Lisbon", False)}


@pytest.fixture(scope="module")
def replays() -> list[dict[str, Any]]:
    return [asyncio.run(replay(script, InProcessEar(), seed=7)) for script in SCRIPTS]


def test_at_least_half_of_the_lines_after_the_first_name_something_said(
    replays: list[dict[str, Any]],
) -> None:
    for r in replays:
        script: Script = r["script"]
        assert len(script.lines) >= 6
        after = r["said"][1:]
        assert len(after) >= 3, script.name
        real = [text for text, _, main in after if main]  # a topic a reader would name, too
        assert 2 * len(real) >= len(after), (script.name, [t for t, _, _ in after])
        assert not r["said"][0][1]  # the opening, before anyone spoke: a deck line


def test_never_a_question_on_what_someone_would_rather_not_talk_about(replays: list[dict[str, Any]]) -> None:
    for r in replays:
        assert r["asked_avoid"] == [], r["script"].name
        assert r["summary_avoid"] == [], r["script"].name
        topics_in_a_row = [set(t) for _, t, _ in r["said"] if t]
        for one, two in itertools.pairwise(topics_in_a_row):
            assert one != two, r["script"].name


def test_every_summary_names_three_topics_and_no_filler(replays: list[dict[str, Any]]) -> None:
    for r in replays:
        script: Script = r["script"]
        assert len(r["summary_main"]) >= 3, (script.name, r["summary"])
        assert r["summary_filler"] == [], (script.name, r["summary"])
        assert not mentions(r["summary"], ("phase", "HeartLink asked")), r["summary"]


def test_the_model_on_disk_is_the_checked_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert nlp.model_digest(nlp.model_path()) == nlp.MODEL_DIGEST
    monkeypatch.setattr(nlp, "MODEL_DIGEST", "0" * 64)
    with pytest.raises(ValueError, match="is not the checked one"):
        nlp.load_model()
