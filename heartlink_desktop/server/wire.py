"""The wire format of the HeartLink protocol: payload checks, no I/O."""

from __future__ import annotations

import json
from typing import Any

from heartlink_desktop.core.errors import CoreError

MAX_EVENT_BYTES = 64 * 1024  # one event's payload, as JSON
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
    }
)
BINARY_EVENTS = frozenset({"audio"})  # a bytes payload, checked by its length (core/utterance.py)
MATCHMAKING_ROOM = "matchmaking"
SDP_MAX = 60 * 1024


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
