"""The offline decks: TOML files of lines per phase and spice level, loaded and validated."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from heartlink_desktop.core.lines import KINDS, LISTENER, PLACEHOLDERS, TELLER, Line, placeholders
from heartlink_desktop.core.topics import TOPIC_KINDS
from heartlink_desktop.core.vocab import PHASES, SPICE_NAMES
from heartlink_desktop.paths import resource

SCHEMA = 1
LEVELS = {name.lower(): level for level, name in SPICE_NAMES.items()}  # a deck names its levels
DECK_PHASES = (*PHASES[1:], "any")  # the talking phases, or any of them
TOP_KEYS = {"schema", "phase", "kind", "title", "lines"}
LINE_MAX = 280
ABOUTS = (*TOPIC_KINDS, "any")  # what a follow-up may ask about
LINE_KEYS = {"text", "kind", "about", "to"}


class DeckError(Exception):
    """A deck file that does not follow the schema; the message names the file and the spot."""


def _check_text(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise DeckError(f"{where}: a line must be text, not {type(text).__name__}")
    folded = " ".join(text.split())
    if not folded:
        raise DeckError(f"{where}: a line cannot be empty")
    if len(folded) > LINE_MAX:
        raise DeckError(f"{where}: a line can hold at most {LINE_MAX} characters ({len(folded)} here)")
    if any(ord(c) < 32 or ord(c) == 127 for c in folded):
        raise DeckError(f"{where}: control characters are not allowed")
    try:
        used = placeholders(folded)
    except ValueError as exc:
        raise DeckError(f"{where}: bad braces ({exc}); write a literal brace as {{{{ or }}}}") from None
    unknown = sorted(used - set(PLACEHOLDERS))
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise DeckError(f"{where}: unknown placeholder {{{unknown[0]}}}; use {allowed}")
    return folded


def parse_deck(data: dict[str, Any], name: str) -> list[Line]:
    """The lines of one deck file's content; DeckError on anything outside the schema."""
    extra = sorted(set(data) - TOP_KEYS)
    if extra:
        raise DeckError(f"{name}: unknown key {extra[0]!r}; a deck has {', '.join(sorted(TOP_KEYS))}")
    if data.get("schema") != SCHEMA:
        raise DeckError(f"{name}: 'schema' must be {SCHEMA} (found {data.get('schema')!r})")
    phase = data.get("phase")
    if phase not in DECK_PHASES:
        raise DeckError(f"{name}: 'phase' must be one of {', '.join(DECK_PHASES)} (found {phase!r})")
    kind = data.get("kind", "question")
    if kind not in KINDS:
        raise DeckError(f"{name}: 'kind' must be one of {', '.join(KINDS)} (found {kind!r})")
    if "title" in data and not isinstance(data["title"], str):
        raise DeckError(f"{name}: 'title' must be text")
    levels = data.get("lines")
    if not isinstance(levels, dict) or not levels:
        raise DeckError(f"{name}: a [lines] table with at least one of {', '.join(LEVELS)} is required")
    out: list[Line] = []
    for level, items in levels.items():
        if level not in LEVELS:
            raise DeckError(f"{name}: lines.{level}: the spice levels are {', '.join(LEVELS)}")
        if not isinstance(items, list) or not items:
            raise DeckError(f"{name}: lines.{level}: must be a non-empty list of lines")
        for i, text in enumerate(items):
            where = f"{name}: lines.{level}[{i}]"
            line_kind, about, to = kind, "", ""
            if isinstance(text, dict):  # {text = "...", kind = "prompt"}, {text = "...", about = "place"}
                if set(text) - LINE_KEYS:
                    raise DeckError(f"{where}: a line table has only {', '.join(sorted(LINE_KEYS))}")
                line_kind = text.get("kind", kind)
                if line_kind not in KINDS:
                    raise DeckError(f"{where}: 'kind' must be one of {', '.join(KINDS)}")
                about, to = text.get("about", ""), text.get("to", "")
                text = text.get("text")
            checked = _check_text(text, where)
            if line_kind == "followup":
                about, to = about or "any", to or TELLER
                if about not in ABOUTS:
                    raise DeckError(f"{where}: 'about' must be one of {', '.join(ABOUTS)} (found {about!r})")
                if to not in (TELLER, LISTENER):
                    raise DeckError(f"{where}: 'to' must be {TELLER} or {LISTENER} (found {to!r})")
                if "topic" not in placeholders(checked):
                    raise DeckError(f"{where}: a follow-up must name what was said: use {{topic}}")
            elif about or to:
                raise DeckError(f"{where}: 'about' and 'to' are for follow-up lines only")
            line_id = f"{name.removesuffix('.toml')}:{level}:{i}"
            out.append(Line(line_id, checked, phase, LEVELS[level], line_kind, about, to))
    return out


def load_deck(path: Path) -> list[Line]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DeckError(f"{path.name}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeckError(f"{path.name}: cannot be read ({exc})") from None
    return parse_deck(data, path.name)


def load_decks(directory: Path | None = None) -> list[Line]:
    """Every `*.toml` deck in the folder; DeckError if one is bad or a phase has no Spark lines."""
    directory = directory or resource("decks")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise DeckError(f"{directory}: no deck files (*.toml) found")
    lines: list[Line] = []
    seen: dict[str, str] = {}
    for path in files:
        for line in load_deck(path):
            key = line.text.lower()
            stem, level, i = line.id.split(":")
            where = f"{stem}.toml: lines.{level}[{i}]"
            if key in seen:
                raise DeckError(f"{where}: the same line is already in {seen[key]}")
            seen[key] = where
            lines.append(line)
    for phase in DECK_PHASES[:-1]:
        if not any(
            ln.spice == 1 and ln.phase in (phase, "any") and ln.kind in ("question", "prompt") for ln in lines
        ):
            raise DeckError(
                f"{directory}: no Spark lines for the {phase} phase; a session at spiciness 1 "
                "would have nothing to say"
            )
    if not any(ln.kind == "rescue" and ln.spice == 1 for ln in lines):
        raise DeckError(f"{directory}: no Spark rescue lines for awkward moments")
    return lines
