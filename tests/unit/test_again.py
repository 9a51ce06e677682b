"""The private "talk again?": only a mutual yes reveals anything, and a no never leaks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.core import CoreError
from heartlink_desktop.core.again import Answers, Reveal

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def asked() -> Answers:
    answers = Answers(window=timedelta(minutes=5))
    answers.ask("c1", {"ann": "Ann", "bob": "Bob"}, T0)
    return answers


def test_two_yeses_reveal_each_partners_contact_to_each_and_nothing_before() -> None:
    answers = asked()
    assert answers.answer("c1", "ann", True, "ann@example.org", T0) == []
    assert answers.matches_of("ann") == []
    reveals = answers.answer("c1", "bob", True, " +1 555   0100 ", T0)
    assert reveals == [
        Reveal("ann", "c1", "Bob", "+1 555 0100"),
        Reveal("bob", "c1", "Ann", "ann@example.org"),
    ]
    assert answers.matches_of("bob") == [Reveal("bob", "c1", "Ann", "ann@example.org")]
    assert answers.counts() == {"asked": 1, "answered": 2, "mutual": 1}


@pytest.mark.parametrize("second", [False, None])
def test_a_yes_met_by_a_no_or_by_silence_looks_the_same_to_the_one_who_said_yes(second: bool | None) -> None:
    answers = asked()
    assert answers.answer("c1", "ann", True, "ann@example.org", T0) == []
    if second is not None:
        assert answers.answer("c1", "bob", second, "bob@example.org", T0) == []
    assert answers.matches_of("ann") == [] and answers.matches_of("bob") == []
    assert answers.pending_for("ann", T0) == []
    assert answers.counts()["mutual"] == 0


def test_a_no_keeps_no_contact_even_when_one_was_sent() -> None:
    answers = asked()
    answers.answer("c1", "bob", False, "bob@example.org", T0)
    question = answers.question("c1")
    assert question is not None and question.contacts == {}


def test_answers_refused_for_a_stranger_twice_or_late_each_with_its_code() -> None:
    answers = asked()
    with pytest.raises(CoreError) as not_in:
        answers.answer("c1", "eve", True, None, T0)
    assert not_in.value.code == "not_your_conversation"
    with pytest.raises(CoreError) as unknown:
        answers.answer("nope", "ann", True, None, T0)
    assert unknown.value.code == "not_your_conversation"
    answers.answer("c1", "ann", False, None, T0)
    with pytest.raises(CoreError) as twice:
        answers.answer("c1", "ann", True, None, T0)
    assert twice.value.code == "already_answered"
    with pytest.raises(CoreError) as late:
        answers.answer("c1", "bob", True, None, T0 + timedelta(minutes=5))
    assert late.value.code == "answer_closed"
    with pytest.raises(CoreError) as bad:
        answers.answer("c1", "bob", "yes", None, T0)
    assert bad.value.code == "invalid_payload"
    with pytest.raises(CoreError) as long:
        answers.answer("c1", "bob", True, "x" * 201, T0)
    assert long.value.code == "contact_too_long"


def test_what_may_be_written_to_disk_holds_the_answers_and_never_a_contact() -> None:
    answers = asked()
    answers.answer("c1", "ann", True, "ann-secret-contact", T0)
    answers.answer("c1", "bob", True, "bob-secret-contact", T0)
    text = json.dumps(answers.to_dict())
    assert "secret-contact" not in text
    back = Answers.from_dict(json.loads(text), window=timedelta(minutes=5))
    assert back.counts() == answers.counts()
    assert back.matches_of("ann") == [
        Reveal("ann", "c1", "Bob", "")
    ]  # a restart keeps the match, not the contact
