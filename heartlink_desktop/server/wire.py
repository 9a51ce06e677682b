"""The wire format of the HeartLink protocol: payload checks, no I/O."""

from __future__ import annotations

import json
import re
from typing import Any

from heartlink_desktop.core.errors import CoreError

MAX_EVENT_BYTES = 64 * 1024  # one event's payload, as JSON
# One Socket.IO packet as text, read before it is decoded: the payload's limit with room for the
# packet's own header and the event's name. A deeper nesting than MAX_DEPTH (a profile is 4
# deep with the event array around it) is refused before any decoder recurses into it.
MAX_PACKET_CHARS = MAX_EVENT_BYTES + 1024
MAX_DEPTH = 32
# The protocol's client events: the only names that reach a handler, from either read path
# (python-socketio's and server/fast.py's). `connect` and `disconnect` are python-socketio's
# own, never a client's: a client event of that name is unknown like any other.
CLIENT_EVENTS = frozenset(
    {
        "join",
        "leave",
        "offer",
        "answer",
        "ice_candidate",
        "transcript_update",
        "audio_activity",
        "audio",
        "audio_end",
        "again_answer",
        "report",
    }
)
BINARY_EVENTS = frozenset({"audio"})  # a bytes payload, checked by its length (core/utterance.py)
MATCHMAKING_ROOM = "matchmaking"
SDP_MAX = 60 * 1024


_SPECIAL = re.compile(r'[\[\]{}"\\]')


def nesting(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, read without decoding it and without
    recursion: one pass over its brackets, quotes and backslashes (strings skipped)."""
    depth = deepest = 0
    in_string = False
    skip = -1  # the position of a character a backslash escapes
    for m in _SPECIAL.finditer(text):
        at = m.start()
        if at == skip:
            continue
        ch = m.group()
        if in_string:
            if ch == "\\":
                skip = at + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def check_packet(text: str) -> None:
    """A Socket.IO packet as text, before anything decodes it: its size, then its depth.
    CoreError('payload_too_large' | 'invalid_payload') in plain words."""
    if len(text) > MAX_PACKET_CHARS:
        raise CoreError(
            "payload_too_large", f"That message is too large (at most {MAX_EVENT_BYTES // 1024} KiB)."
        )
    # fewer brackets than the limit cannot nest deeper than it: most packets stop here
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting(text) > MAX_DEPTH:
        raise CoreError("invalid_payload", f"That message nests deeper than {MAX_DEPTH} levels.")


def payload_size(payload: Any) -> int:
    try:
        return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    except (TypeError, ValueError):
        return MAX_EVENT_BYTES + 1  # binary or unserializable: treated as too large to accept


def check_size(payload: Any, event: str = "") -> None:
    if event in BINARY_EVENTS and isinstance(payload, (bytes, bytearray, memoryview)):
        return  # its own limit, by length and before anything reads it (utterance.check_chunk)
    if payload_size(payload) > MAX_EVENT_BYTES:
        raise CoreError(
            "payload_too_large", f"That message is too large (at most {MAX_EVENT_BYTES // 1024} KiB)."
        )


def obj(payload: Any, event: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise CoreError("invalid_payload", f"'{event}' needs an object as its payload.")
    return payload


def join(payload: Any) -> Any:
    """The raw profile of a join request (the core validates it)."""
    data = obj(payload, "join")
    room = data.get("room", MATCHMAKING_ROOM)
    if room != MATCHMAKING_ROOM:
        raise CoreError("invalid_room", f"There is one room here: '{MATCHMAKING_ROOM}'.")
    if "profile" not in data:
        raise CoreError("invalid_profile", "A profile with at least a name is needed to join.")
    return data["profile"]


def _description(value: Any, kind: str) -> dict[str, Any]:
    if (
        not isinstance(value, dict)
        or value.get("type") != kind
        or not isinstance(value.get("sdp"), str)
        or len(value["sdp"]) > SDP_MAX
    ):
        raise CoreError("invalid_payload", f"'{kind}' needs a session description of type '{kind}'.")
    return {"type": kind, "sdp": value["sdp"]}


def signal(event: str, payload: Any) -> tuple[Any, str, Any]:
    """(target, key, cleaned value) of an offer, answer or ice_candidate."""
    data = obj(payload, event)
    if event == "ice_candidate":
        cand = data.get("candidate")
        if cand is not None and not isinstance(cand, dict):
            raise CoreError("invalid_payload", "'ice_candidate' needs a candidate object (or null).")
        return data.get("target"), "candidate", cand
    return data.get("target"), event, _description(data.get(event), event)


def text(payload: Any) -> Any:
    return obj(payload, "transcript_update").get("text")


def speaking(payload: Any) -> Any:
    return obj(payload, "audio_activity").get("speaking")
