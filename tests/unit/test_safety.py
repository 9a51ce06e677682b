"""Never again: reports block a pair until a reset; removals refuse a person and their name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heartlink_desktop.core import CoreError
from heartlink_desktop.core.safety import Report, Safety, parse_report

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def test_a_report_blocks_the_pair_both_ways_until_a_reset() -> None:
    safety = Safety()
    assert safety.may_pair("ann", "bob")
    report = safety.report("ann", "bob", {"reason": "uncomfortable"}, T0, {"ann": "Ann", "bob": "Bob"})
    assert report == Report("ann", "bob", "uncomfortable", "", T0, "Ann", "Bob")
    assert not safety.may_pair("ann", "bob") and not safety.may_pair("bob", "ann")
    assert safety.may_pair("ann", "cat") and safety.may_pair("bob", "cat")
    assert safety.reports == [report]
    assert report.line() == "Report at 20:00:00: Ann reported Bob (uncomfortable)."
    safety.reset()
    assert safety.may_pair("ann", "bob") and safety.reports == []


@pytest.mark.parametrize(
    "raw, words",
    [
        (None, "needs a reason"),
        ({}, "reason must be one of: uncomfortable, inappropriate, fake, other"),
        ({"reason": "rude"}, "reason must be one of"),
        ({"reason": ["fake"]}, "reason must be one of"),
        ({"reason": "other", "note": 5}, "must be text"),
        ({"reason": "other", "note": "x" * 301}, "at most 300 characters"),
        ({"reason": "other", "note": "a\x00b"}, "control characters"),
    ],
)
def test_a_bad_report_is_refused_whole(raw: object, words: str) -> None:
    safety = Safety()
    with pytest.raises(CoreError) as err:
        safety.report("ann", "bob", raw, T0)
    assert err.value.code == "invalid_payload" and words in err.value.message
    assert safety.reports == [] and safety.may_pair("ann", "bob")


def test_a_note_of_300_characters_is_kept_whole_on_one_line() -> None:
    assert parse_report({"reason": "fake", "note": "y" * 300}) == ("fake", "y" * 300)
    assert parse_report({"reason": "other", "note": " said\nthat\t thing "}) == ("other", "said that thing")
    assert parse_report({"reason": "inappropriate", "note": None}) == ("inappropriate", "")


def test_a_report_just_after_the_end_is_about_the_last_partner() -> None:
    safety = Safety()
    with pytest.raises(CoreError) as err:
        safety.report_target("ann", T0)
    assert err.value.code == "not_in_session"
    assert safety.report_target("ann", T0, partner="dan") == "dan"
    safety.conversation_ended("ann", "bob", T0)
    assert safety.report_target("ann", T0 + timedelta(minutes=15)) == "bob"
    assert safety.report_target("bob", T0 + timedelta(minutes=1)) == "ann"
    with pytest.raises(CoreError) as err:
        safety.report_target("ann", T0 + timedelta(minutes=15, seconds=1))
    assert err.value.code == "not_in_session"


def test_a_removed_person_is_refused_by_key_or_by_name_until_undone() -> None:
    safety = Safety()
    safety.check_join(["k1"], "Eve")  # nobody removed yet
    safety.remove("k1", "Eve  Smith", T0)
    assert not safety.may_pair("k1", "ann") and not safety.may_pair("ann", "k1")
    for keys, name in ((["k1"], "Someone Else"), (["new-socket"], "eve smith"), ([], " EVE   SMITH ")):
        with pytest.raises(CoreError) as err:
            safety.check_join(keys, name)
        assert err.value.code == "removed"
        assert err.value.message == "The host has removed you from this event."
    safety.check_join(["k2"], "Eve")  # another name is not refused
    assert safety.undo_removal("k1") is not None and safety.undo_removal("k1") is None
    safety.check_join(["k1"], "Eve Smith")
    assert safety.may_pair("k1", "ann")


def test_nobody_is_paired_with_themself() -> None:
    assert not Safety().may_pair("ann", "ann")
    with pytest.raises(CoreError):
        Safety().report("ann", "ann", {"reason": "other"}, T0)


def test_the_registry_survives_a_round_trip_through_json_ready_data() -> None:
    safety = Safety()
    safety.report("ann", "bob", {"reason": "other", "note": "hm"}, T0, {"ann": "Ann"})
    safety.block("cat", "dan")
    safety.remove("eve", "Eve", T0)
    safety.conversation_ended("ann", "fay", T0)
    again = Safety.from_dict(safety.to_dict())
    assert again.reports == safety.reports and again.blocked == safety.blocked
    assert again.removals == safety.removals
    assert again.last_partner == {}  # memory only
    assert not again.may_pair("bob", "ann") and not again.may_pair("dan", "cat")
    assert again.is_removed(name="eve")
