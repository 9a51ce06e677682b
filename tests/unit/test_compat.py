"""Who may meet whom: each must be someone the other wants to meet, under the host's mode."""

from __future__ import annotations

import itertools

import pytest

from heartlink_desktop.core import CoreError, parse_profile
from heartlink_desktop.core.compat import compatible, meet_mode, wants_to_meet
from heartlink_desktop.core.profile import Profile


def prof(gender: str | None = None, meet: list[str] | None = None) -> Profile:
    raw: dict[str, object] = {"name": "x"}
    if gender is not None:
        raw["gender"] = gender
    if meet is not None:
        raw["meet"] = meet
    return parse_profile(raw)


WOMAN_FOR_MEN = prof("woman", ["men"])
MAN_FOR_WOMEN = prof("man", ["women"])
MAN_FOR_MEN = prof("man", ["men"])
WOMAN_FOR_ALL = prof("woman")
UNSAID_FOR_ALL = prof()
UNSAID_FOR_WOMEN = prof(None, ["women"])
NB_FOR_NB = prof("nonbinary", ["nonbinary"])


def test_a_woman_who_meets_men_and_a_man_who_meets_women_may_meet() -> None:
    assert compatible(WOMAN_FOR_MEN, MAN_FOR_WOMEN) and compatible(MAN_FOR_WOMEN, WOMAN_FOR_MEN)
    assert not compatible(WOMAN_FOR_MEN, WOMAN_FOR_MEN)
    assert not compatible(MAN_FOR_WOMEN, MAN_FOR_WOMEN)
    assert compatible(MAN_FOR_MEN, MAN_FOR_MEN) and not compatible(MAN_FOR_MEN, WOMAN_FOR_MEN)


def test_both_directions_must_hold() -> None:
    assert wants_to_meet(WOMAN_FOR_ALL, MAN_FOR_MEN) and not wants_to_meet(MAN_FOR_MEN, WOMAN_FOR_ALL)
    assert not compatible(WOMAN_FOR_ALL, MAN_FOR_MEN)
    assert compatible(WOMAN_FOR_ALL, MAN_FOR_WOMEN)
    assert compatible(NB_FOR_NB, prof("nonbinary")) and not compatible(NB_FOR_NB, WOMAN_FOR_ALL)


def test_someone_who_left_gender_out_is_met_only_by_those_who_meet_everyone() -> None:
    assert compatible(UNSAID_FOR_ALL, WOMAN_FOR_ALL)
    assert not compatible(UNSAID_FOR_ALL, WOMAN_FOR_MEN)
    assert not compatible(UNSAID_FOR_ALL, prof("woman", ["women", "men", "nonbinary"]))
    assert compatible(UNSAID_FOR_WOMEN, WOMAN_FOR_ALL) and not compatible(UNSAID_FOR_WOMEN, UNSAID_FOR_ALL)


ALL = [WOMAN_FOR_MEN, MAN_FOR_WOMEN, MAN_FOR_MEN, WOMAN_FOR_ALL, UNSAID_FOR_ALL, UNSAID_FOR_WOMEN, NB_FOR_NB]


@pytest.mark.parametrize("a, b", list(itertools.product(ALL, ALL)))
def test_compatibility_is_symmetric_and_everyone_mode_ignores_the_fields(a: Profile, b: Profile) -> None:
    assert compatible(a, b) == compatible(b, a)
    assert compatible(a, b, "everyone")


def test_with_nobody_filling_the_fields_everyone_meets_everyone() -> None:
    assert compatible(parse_profile({"name": "a"}), parse_profile({"name": "b"}), "preferences")


def test_the_hosts_mode_is_checked() -> None:
    assert meet_mode(None) == "preferences" and meet_mode(" Everyone ") == "everyone"
    with pytest.raises(CoreError) as err:
        meet_mode("some")
    assert err.value.code == "invalid_meet_mode" and "everyone or preferences" in err.value.message
