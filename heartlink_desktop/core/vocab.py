"""The words every part of HeartLink shares, defined once: roles, the facilitator, phases,
spiciness, end reasons, the evening's states and what it tells each person, who meets whom,
reports and removals, and the timeouts that depend on each other.

The page has one twin of this module, `resources/web/vocab.js`; `tests/unit/test_vocab.py`
checks that the two agree (`for_page()` is what the page must hold)."""

from __future__ import annotations

from typing import Any

# -- who ------------------------------------------------------------------------------------
ROLE_A, ROLE_B = "A", "B"
ROLES = (ROLE_A, ROLE_B)

# The facilitator is one actor: its id in the session file (the seed's `agent_id`), the name
# people see, and the speaker code of its transcript lines.
FACILITATOR_ID = "janitor_01"
FACILITATOR_NAME = "HeartLink"
FACILITATOR_SPEAKER = "AI"

# -- a session's status ----------------------------------------------------------------------
WAITING, ACTIVE, ENDED = "waiting", "active", "ended"

# -- phases, in the order a conversation goes through them -----------------------------------
PHASE_WAITING, ICEBREAKER, DEEP_DIVE, DECISION = "waiting", "icebreaker", "deep_dive", "decision"
PHASE_LABELS = {
    PHASE_WAITING: "Waiting",
    ICEBREAKER: "Icebreaker",
    DEEP_DIVE: "Deep dive",
    DECISION: "Decision",
}
PHASES = tuple(PHASE_LABELS)
FIRST_TALKING_PHASE = ICEBREAKER


def phase_label(phase: str) -> str:
    return PHASE_LABELS.get(phase, phase.replace("_", " ").capitalize())


# -- spiciness ----------------------------------------------------------------------------------
SPICE_NAMES = {1: "Spark", 2: "Warm", 3: "Hot", 4: "Inferno"}
SPICE_MIN, SPICE_MAX = min(SPICE_NAMES), max(SPICE_NAMES)
DEFAULT_SPICE = 2

# -- why a conversation ended ------------------------------------------------------------------
HOST_ENDED = "host_ended"
HOST_STOPPED = "host_stopped"
RESET = "reset"
PEER_LEFT = "peer_left"
PEER_DISCONNECTED = "peer_disconnected"
TIMEOUT = "timeout"
ROUND_OVER = "round_over"
# In the host's words (the window, the session's history); the page words its own.
END_REASONS = {
    HOST_ENDED: "ended by the host",
    HOST_STOPPED: "the host closed HeartLink",
    RESET: "reset by the host",
    PEER_LEFT: "someone left",
    PEER_DISCONNECTED: "someone's connection dropped",
    TIMEOUT: "nobody joined or spoke for too long",
    ROUND_OVER: "the round's time was up",
}


def end_reason_text(reason: str) -> str:
    return END_REASONS.get(reason, reason.replace("_", " "))


# -- an evening of rounds ----------------------------------------------------------------------
# The evening's state (`evening_status.state`, the evening file, the window).
LOBBY, ROUND, BREAK, EVENING_OVER = "lobby", "round", "break", "ended"
EVENING_STATES = (LOBBY, ROUND, BREAK, EVENING_OVER)
# The host's own word for an evening restored after a crash, waiting for people to come back
# (the window and standard input say it; a page is told it is a break with no clock).
PAUSED = "paused"
# What `evening_status.you` says of the person it goes to: during a round, whether they talk,
# sit this one out, or wait for a partner who is away; when they left, "left"; otherwise the
# evening's state itself.
YOU_TALKING, YOU_BREAK, YOU_WAITING, YOU_LEFT = "talking", "break", "waiting", "left"
YOU_VALUES = (YOU_TALKING, YOU_BREAK, YOU_WAITING, YOU_LEFT, *EVENING_STATES)
# -- who meets whom ------------------------------------------------------------------------------
# A profile's optional `gender` (left out: prefer not to say) and `meet` (left out: everyone).
GENDERS = {"woman": "Woman", "man": "Man", "nonbinary": "Nonbinary"}
MEET_EVERYONE = "everyone"
MEET_VALUES = {"women": "Women", "men": "Men", "nonbinary": "Nonbinary people", MEET_EVERYONE: "Everyone"}
# The `meet` value that covers each gender.
MEET_OF_GENDER = {"woman": "women", "man": "men", "nonbinary": "nonbinary"}
# The host's choice: whether the fields count ("preferences") or everyone meets everyone.
MODE_EVERYONE, MODE_PREFERENCES = "everyone", "preferences"
MEET_MODES = (MODE_EVERYONE, MODE_PREFERENCES)
DEFAULT_MEET_MODE = MODE_PREFERENCES
# Why someone waits although others are here (the queue tells them so).
NOBODY_TO_MEET = "nobody_to_meet"
WAIT_REASONS = {
    NOBODY_TO_MEET: "Nobody here you can meet yet. You will meet someone as soon as they arrive.",
}

# -- reports and removals ----------------------------------------------------------------------
REPORT_REASONS = {
    "uncomfortable": "made me uncomfortable",
    "inappropriate": "inappropriate",
    "fake": "fake profile",
    "other": "something else",
}
REPORT_NOTE_MAX = 300
REPORT_WINDOW_SECONDS = 15 * 60  # after an end, a report is about that last partner
REMOVED = "removed"  # the session_error code that refuses a removed person
REMOVED_MESSAGE = "The host has removed you from this event."


# -- timeouts that hang together (seconds) -------------------------------------------------------
# An end waits for the summary; the summary may ask the LLM; the page waits for the summary.
# Each waits a margin longer than what it waits for, so a slow LLM gives the offline summary,
# not a page that gave up first.
LLM_SUMMARY_BUDGET = 15.0  # the LLM's time to write a summary
SUMMARY_MARGIN = 5.0
SUMMARY_TIMEOUT = LLM_SUMMARY_BUDGET + SUMMARY_MARGIN  # the host's wait for any summary (20 s)
PAGE_SUMMARY_WAIT = SUMMARY_TIMEOUT + SUMMARY_MARGIN  # the page's wait for it (25 s)


def for_page() -> dict[str, Any]:
    """What `resources/web/vocab.js` exports, as JSON would carry it."""
    return {
        "ROLES": list(ROLES),
        "STATUS": {"WAITING": WAITING, "ACTIVE": ACTIVE, "ENDED": ENDED},
        "FACILITATOR": {"id": FACILITATOR_ID, "name": FACILITATOR_NAME, "speaker": FACILITATOR_SPEAKER},
        "PHASE": {
            "WAITING": PHASE_WAITING,
            "ICEBREAKER": ICEBREAKER,
            "DEEP_DIVE": DEEP_DIVE,
            "DECISION": DECISION,
        },
        "PHASE_LABELS": dict(PHASE_LABELS),
        "PHASES": list(PHASES),
        "FIRST_TALKING_PHASE": FIRST_TALKING_PHASE,
        "SPICE_NAMES": {str(k): v for k, v in SPICE_NAMES.items()},
        "DEFAULT_SPICE": DEFAULT_SPICE,
        "END_REASONS": [HOST_ENDED, HOST_STOPPED, RESET, PEER_LEFT, PEER_DISCONNECTED, TIMEOUT, ROUND_OVER],
        "PAGE_SUMMARY_WAIT_MS": int(PAGE_SUMMARY_WAIT * 1000),
        "EVENING": {"LOBBY": LOBBY, "ROUND": ROUND, "BREAK": BREAK, "OVER": EVENING_OVER},
        "YOU": {"TALKING": YOU_TALKING, "BREAK": YOU_BREAK, "WAITING": YOU_WAITING, "LEFT": YOU_LEFT},
        "GENDERS": dict(GENDERS),
        "MEET_VALUES": dict(MEET_VALUES),
        "WAIT_REASONS": dict(WAIT_REASONS),
        "REPORT_REASONS": dict(REPORT_REASONS),
        "REPORT_NOTE_MAX": REPORT_NOTE_MAX,
        "REMOVED": {"code": REMOVED, "message": REMOVED_MESSAGE},
    }
