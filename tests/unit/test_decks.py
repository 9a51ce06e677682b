"""The offline decks: the shipped ones are complete; a bad deck is refused with a clear message."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from heartlink_desktop.agent.decks import DeckError, load_deck, load_decks
from heartlink_desktop.core.lines import PLACEHOLDERS

GOOD = """
schema = 1
phase = "{phase}"
[lines]
spark = ["A light {phase} question for {{name}}?"]
"""
RESCUE = """
schema = 1
phase = "any"
kind = "rescue"
[lines]
spark = ["An easy one?"]
"""


def test_the_shipped_decks_cover_every_phase_and_level() -> None:
    lines = load_decks()
    counts = Counter((ln.phase, ln.spice) for ln in lines if ln.kind != "rescue")
    for phase in ("icebreaker", "deep_dive", "decision"):
        for spice in (1, 2, 3, 4):
            assert counts[(phase, spice)] >= 8, (phase, spice)
    assert sum(1 for ln in lines if ln.kind == "rescue" and ln.spice == 1) >= 8
    assert len({ln.id for ln in lines}) == len(lines)
    assert len({ln.text.lower() for ln in lines}) == len(lines)
    assert {p for ln in lines for p in ln.needs} <= set(PLACEHOLDERS)
    assert any(ln.kind == "prompt" for ln in lines)


def test_the_shipped_follow_ups_fit_every_kind_of_thing_and_phase() -> None:
    """Any topic in any phase has a Spark follow-up (one `about = "any"` at least), asked of the
    one who said it and of the other; the kinds the parser finds most have their own lines."""
    follow = [ln for ln in load_decks() if ln.kind == "followup"]
    for phase in ("icebreaker", "deep_dive", "decision"):
        here = [ln for ln in follow if ln.phase == phase and ln.spice == 1]
        assert {ln.to for ln in here} == {"teller", "listener"}, phase
        assert any(ln.about == "any" for ln in here), phase
    for about in ("place", "person", "work", "activity", "thing"):
        assert sum(1 for ln in follow if ln.about == about) >= 3, about
    assert all("topic" in ln.needs for ln in follow)


def _deck_dir(tmp_path: Path, bad: str, name: str = "bad") -> Path:
    for phase in ("icebreaker", "deep_dive", "decision"):
        (tmp_path / f"{phase}.toml").write_text(GOOD.format(phase=phase))
    (tmp_path / "rescue.toml").write_text(RESCUE)
    (tmp_path / f"{name}.toml").write_text(bad)
    return tmp_path


def test_a_minimal_set_loads(tmp_path: Path) -> None:
    lines = load_decks(_deck_dir(tmp_path, GOOD.format(phase="decision").replace("light", "second")))
    assert len(lines) == 5
    first = next(ln for ln in lines if ln.id == "icebreaker:spark:0")
    assert first.phase == "icebreaker" and first.spice == 1 and first.kind == "question"
    assert first.needs == {"name"}


BAD = [
    ("schema = 2\nphase = 'icebreaker'\n[lines]\nspark = ['x']", "bad.toml: 'schema' must be 1 (found 2)"),
    ("schema = 1\nphase = 'dessert'\n[lines]\nspark = ['x']", "bad.toml: 'phase' must be one of"),
    (
        "schema = 1\nphase = 'icebreaker'\nkind = 'joke'\n[lines]\nspark = ['x']",
        "bad.toml: 'kind' must be one of",
    ),
    ("schema = 1\nphase = 'icebreaker'\nlevel = 3\n[lines]\nspark = ['x']", "bad.toml: unknown key 'level'"),
    ("schema = 1\nphase = 'icebreaker'", "bad.toml: a [lines] table"),
    ("schema = 1\nphase = 'icebreaker'\n[lines]\nlava = ['x']", "bad.toml: lines.lava: the spice levels are"),
    ("schema = 1\nphase = 'icebreaker'\n[lines]\nhot = []", "bad.toml: lines.hot: must be a non-empty list"),
    (
        "schema = 1\nphase = 'icebreaker'\n[lines]\nhot = ['ok', '   ']",
        "bad.toml: lines.hot[1]: a line cannot be empty",
    ),
    ("schema = 1\nphase = 'icebreaker'\n[lines]\nhot = [3]", "bad.toml: lines.hot[0]: a line must be text"),
    (f"schema = 1\nphase = 'icebreaker'\n[lines]\nwarm = ['{'x' * 281}']", "at most 280 characters"),
    (
        "schema = 1\nphase = 'icebreaker'\n[lines]\nwarm = ['Hi {nmae}?']",
        "lines.warm[0]: unknown placeholder {nmae}",
    ),
    ("schema = 1\nphase = 'icebreaker'\n[lines]\nwarm = ['Hi {name']", "lines.warm[0]: bad braces"),
    (
        "schema = 1\nphase = 'icebreaker'\n[lines]\nwarm = [{text = 'x', spice = 4}]",
        "a line table has only about, kind, text, to",
    ),
    (
        "schema = 1\nphase = 'any'\nkind = 'followup'\n[lines]\nwarm = ['{name}, how was it?']",
        "lines.warm[0]: a follow-up must name what was said: use {topic}",
    ),
    (
        "schema = 1\nphase = 'any'\nkind = 'followup'\n[lines]\nwarm = [{text = '{topic}?', about = 'pet'}]",
        "lines.warm[0]: 'about' must be one of place, person",
    ),
    (
        "schema = 1\nphase = 'any'\nkind = 'followup'\n[lines]\nwarm = [{text = '{topic}?', to = 'both'}]",
        "lines.warm[0]: 'to' must be teller or listener (found 'both')",
    ),
    (
        "schema = 1\nphase = 'any'\n[lines]\nwarm = [{text = '{topic}?', about = 'place'}]",
        "lines.warm[0]: 'about' and 'to' are for follow-up lines only",
    ),
    (
        "schema = 1\nphase = 'icebreaker'\n[lines]\nwarm = ['An easy one?']",
        "rescue.toml: lines.spark[0]: the same line is already in bad.toml: lines.warm[0]",
    ),
    ("schema = 1\nphase = [oops", "bad.toml: not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_deck_is_refused_with_a_clear_message(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DeckError) as err:
        load_decks(_deck_dir(tmp_path, text))
    assert message in str(err.value)


def test_every_phase_needs_spark_lines(tmp_path: Path) -> None:
    _deck_dir(tmp_path, RESCUE.replace("easy", "gentle"), name="more_rescue")
    (tmp_path / "deep_dive.toml").write_text(
        "schema = 1\nphase = 'deep_dive'\n[lines]\nhot = ['Only a hot one?']"
    )
    with pytest.raises(DeckError, match="no Spark lines for the deep_dive phase"):
        load_decks(tmp_path)
    (tmp_path / "rescue.toml").unlink()
    (tmp_path / "more_rescue.toml").unlink()
    (tmp_path / "deep_dive.toml").write_text(GOOD.format(phase="deep_dive").replace("light", "deep"))
    with pytest.raises(DeckError, match="no Spark rescue lines"):
        load_decks(tmp_path)


def test_an_empty_folder_and_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no deck files"):
        load_decks(tmp_path)
    (tmp_path / "latin1.toml").write_bytes(b"schema = 1\ntitle = '\xe9'\n")
    with pytest.raises(DeckError, match=r"latin1\.toml: cannot be read"):
        load_deck(tmp_path / "latin1.toml")
