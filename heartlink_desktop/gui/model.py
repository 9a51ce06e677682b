"""What the window knows about the conversations: slots, states, transcripts, and their exports."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from heartlink_desktop import __version__
from heartlink_desktop.core import vocab
from heartlink_desktop.core.errors import CoreError
from heartlink_desktop.core.profile import Profile, parse_profile
from heartlink_desktop.core.vocab import FACILITATOR_SPEAKER, ROLES, end_reason_text
from heartlink_desktop.paths import atomic_write

# A slot's state as the card shows it.
EMPTY, WAITING, IN_CALL, LEFT, RECONNECTING, ENDED = (
    "empty",
    "waiting",
    "in call",
    "left",
    "reconnecting",
    "ended",
)


def profile_of(raw: Any) -> Profile | None:
    if not isinstance(raw, dict):
        return None
    try:
        return parse_profile(raw)
    except CoreError:
        name = raw.get("name")
        return Profile(name=name) if isinstance(name, str) and name else None


@dataclass
class SlotView:
    """One seat (A or B) of a conversation as the window shows it: who, in what state, since
    when. Kept by `SessionView`."""

    role: str
    sid: str | None = None
    profile: Profile | None = None
    state: str = EMPTY
    since: datetime | None = None  # when this person took the slot
    until: datetime | None = None  # when the conversation ended: the clock stops

    @property
    def name(self) -> str:
        return self.profile.name if self.profile else ""

    @property
    def profile_line(self) -> str:
        return self.profile.one_line() if self.profile else ""

    def seconds(self, now: datetime) -> int | None:
        if self.since is None or self.state in (EMPTY,):
            return None
        end = self.until or now
        return max(0, int((end - self.since).total_seconds()))


@dataclass
class SessionView:
    """One conversation as the window shows it: status, phase, spiciness, both seats, the
    transcript so far, and how it ended. Kept by `LiveSessions`, fed by the bridge's signals."""

    session_id: str
    number: int  # "Conversation 1", "2", ... in this run
    status: str = vocab.WAITING
    phase: str = vocab.PHASES[0]
    spiciness: int | None = None
    created_at: str | None = None
    slots: dict[str, SlotView] = field(default_factory=lambda: {r: SlotView(r) for r in ROLES})
    transcript: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False
    end_reason: str = ""
    summary: str = ""
    _overrides: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        names = [s.name for s in self.slots.values() if s.name]
        who = " & ".join(names) if names else "nobody yet"
        return f"Conversation {self.number}: {who}" + (" (ended)" if self.ended else "")

    def names(self) -> dict[str, str]:
        return {r: s.name for r, s in self.slots.items()}


def _fmt_time(stamp: Any) -> str:
    try:
        return datetime.fromisoformat(str(stamp)).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ""


def line_time(entry: dict[str, Any]) -> str:
    return _fmt_time(entry.get("timestamp"))


class LiveSessions:
    """Applies the bridge's signals; the widgets draw from it. No Qt here."""

    def __init__(self) -> None:
        self.views: dict[str, SessionView] = {}
        self._next = 1
        self.queue = 0

    def view(self, session_id: str) -> SessionView:
        found = self.views.get(session_id)
        if found is None:
            found = self.views[session_id] = SessionView(session_id, self._next)
            self._next += 1
        return found

    def live(self) -> list[SessionView]:
        return [v for v in self.views.values() if not v.ended]

    def live_count(self) -> int:
        return sum(not v.ended for v in self.views.values())

    def apply_snapshot(self, session_id: str, snap: dict[str, Any], now: datetime) -> SessionView:
        v = self.view(session_id)
        v.status = str(snap.get("status") or v.status)
        v.phase = str(snap.get("phase") or v.phase)
        v.created_at = snap.get("created_at") or v.created_at
        agent = snap.get("agent")
        if isinstance(agent, dict) and isinstance(agent.get("spiciness"), int):
            v.spiciness = agent["spiciness"]
        if not v.transcript and isinstance(snap.get("transcript"), list):
            v.transcript = [dict(e) for e in snap["transcript"] if isinstance(e, dict)]
        participants = snap.get("participants") or {}
        profiles = snap.get("participant_profiles") or {}
        held = snap.get("reconnecting") or {}  # role -> when the grace period runs out
        for role in ROLES:
            slot = v.slots[role]
            sid = participants.get(role)
            if sid != slot.sid:
                back = slot.state == RECONNECTING and sid is not None  # the same person, new socket
                slot.sid = sid
                slot.since = (slot.since if back else now) if sid else None
                if back:
                    v._overrides.pop(role, None)
            if sid:
                slot.profile = profile_of(profiles.get(role)) or slot.profile
            else:
                slot.profile = None
            override = v._overrides.get(role)
            if override is not None and override[0] != sid:
                v._overrides.pop(role)  # somebody else took the slot
                override = None
            if override is not None:
                slot.state = override[1]
            elif sid and role in held:
                slot.state = RECONNECTING
            elif not sid:
                slot.state = EMPTY
            else:
                slot.state = IN_CALL if v.status == vocab.ACTIVE else WAITING
        return v

    def set_state(self, session_id: str, role: str, state: str) -> SessionView | None:
        v = self.views.get(session_id)
        if v is None or role not in v.slots:
            return None
        slot = v.slots[role]
        if state in (LEFT, RECONNECTING):
            v._overrides[role] = (slot.sid, state)
            slot.state = state
        else:  # connected again: the snapshot decides
            v._overrides.pop(role, None)
            if slot.sid:
                slot.state = IN_CALL if v.status == vocab.ACTIVE else WAITING
        return v

    def add_line(self, session_id: str, entry: dict[str, Any]) -> SessionView:
        v = self.view(session_id)
        v.transcript.append(entry)
        return v

    def end(self, session_id: str, reason: str, summary: str, now: datetime) -> SessionView:
        v = self.view(session_id)
        v.ended, v.end_reason, v.summary, v.status = True, reason, summary, vocab.ENDED
        for slot in v.slots.values():
            slot.until = now
            if slot.sid and slot.state not in (LEFT,):
                slot.state = ENDED
        return v

    def forget(self, session_id: str) -> None:
        self.views.pop(session_id, None)

    def clear(self) -> None:
        self.views.clear()
        self._next = 1


# -- exports --------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~])")


def md_escape(text: str) -> str:
    """Peer text as literal Markdown: no headings, links, HTML or emphasis of its own."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def speaker_name(v: SessionView, entry: dict[str, Any]) -> str:
    name = entry.get("name")
    if isinstance(name, str) and name:
        return name
    return (
        v.slots[entry["speaker"]].name if entry.get("speaker") in v.slots else str(entry.get("speaker", "?"))
    )


def to_markdown(v: SessionView) -> str:
    out = [f"# HeartLink conversation {v.number}", ""]
    out.append(f"- Session: `{v.session_id}`")
    if v.created_at:
        out.append(f"- Started: {v.created_at}")
    for role, slot in v.slots.items():
        if slot.profile:
            line = slot.profile_line
            out.append(f"- {role}: {md_escape(slot.name)}" + (f" ({md_escape(line)})" if line else ""))
    if v.ended:
        out.append(f"- Ended: {end_reason_text(v.end_reason)}")
    out += ["", "## Transcript", ""]
    for e in v.transcript:
        who = md_escape(speaker_name(v, e))
        text = md_escape(str(e.get("text", "")))
        stamp = line_time(e)
        if e.get("speaker") == FACILITATOR_SPEAKER:
            out.append(f"> *{stamp} {who}:* {text}")
        else:
            out.append(f"**{stamp} {who}:** {text}")
        out.append("")
    if v.summary:
        out += ["## Summary", "", md_escape(v.summary), ""]
    return "\n".join(out)


def to_json(v: SessionView, exported_at: datetime) -> str:
    body = {
        "format": "heartlink-transcript",
        "version": 1,
        "app_version": __version__,
        "exported_at": exported_at.isoformat(),
        "session_id": v.session_id,
        "created_at": v.created_at,
        "status": v.status,
        "end_reason": v.end_reason or None,
        "participant_profiles": {r: s.profile.to_dict() for r, s in v.slots.items() if s.profile},
        "transcript": v.transcript,
        "summary": v.summary,
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def write_export(view: SessionView, fmt: str, path: Path, now: datetime) -> Path:
    """Write one conversation as Markdown ("md") or JSON to a file the host chose, private to
    this user; a path without a suffix gets the format's."""
    data = to_markdown(view) if fmt == "md" else to_json(view, now)
    path = path if path.suffix else path.with_suffix(f".{'md' if fmt == 'md' else 'json'}")
    atomic_write(path, data.encode("utf-8"), 0o600)
    return path
