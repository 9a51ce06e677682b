"""Who may meet whom by their profiles' `gender` and `meet`, under the host's mode; pure.

In "preferences" mode two people may be paired only when each is someone the other wants to
meet. Someone who left `meet` out (or chose everyone) wants to meet anyone; someone who left
`gender` out (prefer not to say) can be met only by those who meet everyone, since nobody
can tell which group they are in. With nobody filling the fields everyone meets everyone, as
in "everyone" mode, which ignores the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.profile import Profile
from heartlink_desktop.core.vocab import DEFAULT_MEET_MODE, MEET_MODES, MEET_OF_GENDER, MODE_EVERYONE


def wants_to_meet(who: Profile, other: Profile) -> bool:
    """Whether `who` would like to meet `other` (one direction only)."""
    if who.meet is None:
        return True
    if other.gender is None:
        return False
    return MEET_OF_GENDER[other.gender] in who.meet


def compatible(a: Profile, b: Profile, mode: str = DEFAULT_MEET_MODE) -> bool:
    """Whether `a` and `b` may be paired: always in "everyone" mode, else each must want the other."""
    if mode == MODE_EVERYONE:
        return True
    return wants_to_meet(a, b) and wants_to_meet(b, a)


def meet_mode(value: Any) -> str:
    """The host's mode from the window or `--meet`; CoreError('invalid_meet_mode') otherwise."""
    if value is None:
        return DEFAULT_MEET_MODE
    if not isinstance(value, str) or value.strip().lower() not in MEET_MODES:
        raise CoreError("invalid_meet_mode", "Who meets whom is either everyone or preferences.")
    return value.strip().lower()


class PairCheck(Protocol):
    """The never-again registry as the queue and the rounds see it (core/safety.py's `Safety`)."""

    def may_pair(self, a: str, b: str) -> bool: ...


def pairing_rule(
    profiles: Mapping[str, Profile], mode: str = DEFAULT_MEET_MODE, safety: PairCheck | None = None
) -> Callable[[str, str], bool]:
    """The rounds' `may_meet` over people's keys: compatible profiles, never kept apart by `safety`."""

    def may_meet(a: str, b: str) -> bool:
        if not compatible(profiles[a], profiles[b], mode):
            return False
        return safety is None or safety.may_pair(a, b)

    return may_meet
