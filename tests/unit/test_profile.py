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
        ({"name": "A", "gender": "robot"}, "woman, man or nonbinary, or left out"),
        ({"name": "A", "gender": ["woman"]}, "woman, man or nonbinary, or left out"),
        ({"name": "A", "gender": "Woman"}, "woman, man or nonbinary, or left out"),
        ({"name": "A", "meet": {"women": True}}, "must be a list"),
        ({"name": "A", "meet": 3}, "must be a list"),
        ({"name": "A", "meet": ["women", "robots"]}, "women, men, nonbinary, or everyone"),
        ({"name": "A", "meet": [["women"]]}, "women, men, nonbinary, or everyone"),
        ({"name": "A", "meet": ["everyone", "men"]}, "everyone alone"),
    ],
)
def test_bad_profiles_are_refused_in_plain_words(raw: object, words: str) -> None:
    with pytest.raises(CoreError) as err:
        parse_profile(raw)
    assert err.value.code == "invalid_profile"
    assert words in err.value.message


def test_gender_and_whom_to_meet_are_optional() -> None:
    bare = parse_profile({"name": "Ada"})
    assert bare.gender is None and bare.meet is None
    assert "gender" not in bare.to_dict() and "meet" not in bare.to_dict()
    blank = parse_profile({"name": "Ada", "gender": "", "meet": []})  # nothing chosen is left out
    assert blank.gender is None and blank.meet is None
    assert parse_profile({"name": "Ada", "meet": ["everyone"]}).meet is None


def test_whom_to_meet_is_kept_once_each_in_a_fixed_order() -> None:
    prof = parse_profile({"name": "Ada", "gender": "woman", "meet": ["nonbinary", "women", "women"]})
    assert prof.gender == "woman" and prof.meet == ("women", "nonbinary")
    assert prof.to_dict()["meet"] == ["women", "nonbinary"] and prof.to_dict()["gender"] == "woman"
    assert parse_profile({"name": "Bo", "meet": "men, women"}).meet == ("women", "men")


def test_the_partner_sees_the_gender_but_not_whom_someone_wants_to_meet() -> None:
    prof = parse_profile({"name": "Ada", "age": 30, "gender": "nonbinary", "meet": ["men"]})
    seen = prof.for_partner()
    assert seen == {"name": "Ada", "age": 30, "gender": "nonbinary", "hobbies": [], "interests": []}
    assert parse_profile({"name": "Bo"}).for_partner() == parse_profile({"name": "Bo"}).to_dict()
