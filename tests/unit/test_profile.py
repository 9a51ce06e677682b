"""Profile validation: what a peer may say about themself."""

from __future__ import annotations

import pytest

from heartlink_desktop.core import CoreError, parse_profile


def test_full_profile_is_cleaned() -> None:
    prof = parse_profile(
        {
            "name": "  Ada \n Lovelace ",
            "age": "36",
            "personality_type": "introvert",
            "hobbies": ["chess", "Chess", " poetry "],
            "interests": "math, engines",
            "goal": "a good chat",
            "spice_level": 3,
        }
    )
    assert prof.name == "Ada Lovelace" and prof.age == 36
    assert prof.hobbies == ("chess", "poetry") and prof.interests == ("math", "engines")
    assert prof.to_dict()["spice_level"] == 3
    assert prof.one_line() == "36 · introvert · chess, poetry, math, engines"


def test_markup_is_kept_as_text() -> None:
    assert parse_profile({"name": "<b>x</b>"}).name == "<b>x</b>"


@pytest.mark.parametrize(
    "raw, words",
    [
        (None, "object"),
        ("Alice", "object"),
        ({}, "name is required"),
        ({"name": "   "}, "name is required"),
        ({"name": 5}, "must be text"),
        ({"name": "x" * 41}, "too long"),
        ({"name": "a\x00b"}, "control characters"),
        ({"name": "A", "age": 12}, "between 18 and 120"),
        ({"name": "A", "age": True}, "whole number"),
        ({"name": "A", "age": "old"}, "whole number"),
        ({"name": "A", "personality_type": "robot"}, "introvert, ambivert or extrovert"),
        ({"name": "A", "spice_level": 5}, "between 1 and 4"),
        ({"name": "A", "hobbies": {"a": 1}}, "list"),
        ({"name": "A", "hobbies": ["x"] * 21}, "Too many"),
        ({"name": "A", "interests": [3]}, "must be text"),
        ({"name": "A", "goal": "g" * 201}, "too long"),
    ],
)
def test_bad_profiles_are_refused_in_plain_words(raw: object, words: str) -> None:
    with pytest.raises(CoreError) as err:
        parse_profile(raw)
    assert err.value.code == "invalid_profile"
    assert words in err.value.message
