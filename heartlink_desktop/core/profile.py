"""A participant's profile: validation of what a peer sends about themself.

`gender` and `meet` say who may meet whom (core/compat.py). The partner sees the profile
without `meet` (`for_partner()`): whom someone wants to meet is between them and the host."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.vocab import GENDERS, MEET_EVERYONE, MEET_VALUES, SPICE_MAX, SPICE_MIN

PERSONALITY_TYPES = ("introvert", "ambivert", "extrovert")
NAME_MAX = 40
TAG_MAX = 40
TAGS_MAX = 20
GOAL_MAX = 200
AGE_MIN, AGE_MAX = 18, 120


@dataclass(frozen=True)
class Profile:
    """What a participant said about themself, cleaned; built by `parse_profile` when they join,
    read by the rooms, the rounds, the facilitator and the window.

    `gender` None: prefer not to say. `meet` None: everyone (also what `["everyone"]` becomes),
    else the groups they would like to meet, in the order of `MEET_VALUES`."""

    name: str
    age: int | None = None
    personality_type: str | None = None
    hobbies: tuple[str, ...] = field(default_factory=tuple)
    interests: tuple[str, ...] = field(default_factory=tuple)
    goal: str | None = None
    spice_level: int | None = None
    gender: str | None = None
    meet: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every field given (the session file, the host); `meet` as a list."""
        d = asdict(self)
        d["hobbies"] = list(self.hobbies)
        d["interests"] = list(self.interests)
        if self.meet is not None:
            d["meet"] = list(self.meet)
        return {k: v for k, v in d.items() if v is not None}

    def for_partner(self) -> dict[str, Any]:
        """What the partner may see: `to_dict()` without `meet`."""
        d = self.to_dict()
        d.pop("meet", None)
        return d

    def one_line(self) -> str:
        """A short plain-text description, e.g. `29 · extrovert · hiking, jazz`."""
        parts: list[str] = []
        if self.age is not None:
            parts.append(str(self.age))
        if self.personality_type:
            parts.append(self.personality_type)
        tags = list(self.hobbies) + [i for i in self.interests if i not in self.hobbies]
        if tags:
            parts.append(", ".join(tags[:4]))
        return " · ".join(parts)


def _bad(message: str) -> CoreError:
    return CoreError("invalid_profile", message)


def _clean_text(value: Any, what: str, limit: int, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise _bad(f"A {what} is required.")
        return None
    if not isinstance(value, str):
        raise _bad(f"The {what} must be text.")
    text = " ".join(value.split())  # fold newlines, tabs and runs of spaces
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _bad(f"The {what} contains control characters.")
    if required and not text:
        raise _bad(f"A {what} is required.")
    if len(text) > limit:
        raise _bad(f"The {what} is too long (at most {limit} characters).")
    return text


def _int(value: Any, what: str, lo: int, hi: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad(f"The {what} must be a whole number.")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise _bad(f"The {what} must be a whole number.")
    if not lo <= value <= hi:
        raise _bad(f"The {what} must be between {lo} and {hi}.")
    return value


def _tags(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # a comma-separated line is fine too
        value = value.split(",")
    if not isinstance(value, list):
        raise _bad(f"The {what} must be a list of words.")
    if len(value) > TAGS_MAX:
        raise _bad(f"Too many {what} (at most {TAGS_MAX}).")
    out: list[str] = []
    for item in value:
        text = _clean_text(item, f"{what} entry", TAG_MAX)
        if text and text.lower() not in (t.lower() for t in out):
            out.append(text)
    return tuple(out)


def _gender(value: Any) -> str | None:
    if value in ("", None):
        return None
    if not isinstance(value, str) or value not in GENDERS:  # a list is no key of a dict
        raise _bad("The gender must be woman, man or nonbinary, or left out.")
    return value


def _meet(value: Any) -> tuple[str, ...] | None:
    """None for everyone; else the chosen groups in the order of MEET_VALUES, once each."""
    if value is None:
        return None
    if isinstance(value, str):  # "women, men" is fine too
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise _bad("Whom you would like to meet must be a list: women, men, nonbinary, or everyone.")
    if any(not isinstance(v, str) or v not in MEET_VALUES for v in value):
        raise _bad("Whom you would like to meet must be women, men, nonbinary, or everyone.")
    chosen = set(value)
    if not chosen or chosen == {MEET_EVERYONE}:  # nothing ticked is left out: everyone
        return None
    if MEET_EVERYONE in chosen:
        raise _bad("Choose everyone alone, or some of women, men and nonbinary.")
    return tuple(v for v in MEET_VALUES if v in chosen)


def parse_profile(raw: Any) -> Profile:
    """Validate a profile sent by a peer; raise CoreError('invalid_profile') on any fault."""
    if not isinstance(raw, dict):
        raise _bad("The profile must be an object with at least a name.")
    name = _clean_text(raw.get("name"), "name", NAME_MAX, required=True)
    assert name is not None
    personality = raw.get("personality_type")
    if personality in ("", None):
        personality = None
    elif personality not in PERSONALITY_TYPES:
        raise _bad("The personality type must be introvert, ambivert or extrovert.")
    return Profile(
        name=name,
        age=_int(raw.get("age"), "age", AGE_MIN, AGE_MAX),
        personality_type=personality,
        hobbies=_tags(raw.get("hobbies"), "hobbies"),
        interests=_tags(raw.get("interests"), "interests"),
        goal=_clean_text(raw.get("goal"), "goal", GOAL_MAX),
        spice_level=_int(raw.get("spice_level"), "spice level", SPICE_MIN, SPICE_MAX),
        gender=_gender(raw.get("gender")),
        meet=_meet(raw.get("meet")),
    )
