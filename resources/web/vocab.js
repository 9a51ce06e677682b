// The words the page shares with the host, once for the page. Their source is
// heartlink_desktop/core/vocab.py; tests/unit/test_vocab.py checks the two agree.

export const ROLES = ["A", "B"];

export const FACILITATOR = { id: "janitor_01", name: "HeartLink", speaker: "AI" };

// The phases in the order a conversation goes through them, and the first one with talk.
export const PHASE = { WAITING: "waiting", ICEBREAKER: "icebreaker", DEEP_DIVE: "deep_dive", DECISION: "decision" };
export const PHASES = Object.values(PHASE);
export const FIRST_TALKING_PHASE = PHASE.ICEBREAKER;

export const PHASE_LABELS = {
  [PHASE.WAITING]: "Waiting",
  [PHASE.ICEBREAKER]: "Icebreaker",
  [PHASE.DEEP_DIVE]: "Deep dive",
  [PHASE.DECISION]: "Decision",
};

// A session's status, as session_info carries it.
export const STATUS = { WAITING: "waiting", ACTIVE: "active", ENDED: "ended" };

export const SPICE_NAMES = { 1: "Spark", 2: "Warm", 3: "Hot", 4: "Inferno" };
export const DEFAULT_SPICE = 2;

// Why a conversation ended, as the host says it (the page words each in ui.js).
export const END = {
  HOST_ENDED: "host_ended",
  HOST_STOPPED: "host_stopped",
  RESET: "reset",
  PEER_LEFT: "peer_left",
  PEER_DISCONNECTED: "peer_disconnected",
  TIMEOUT: "timeout",
  ROUND_OVER: "round_over",
};
export const END_REASONS = Object.values(END);

// The page's own reasons, never sent by the host.
export const LOCAL_END = { CONNECTION_LOST: "connection_lost", INVALID_RESUME: "invalid_resume" };

// How long the page waits for the summary after an end: the host waits 20 s for it.
export const PAGE_SUMMARY_WAIT_MS = 25000;

// An evening of rounds: its state (evening_status.state), and what evening_status.you says
// of this person (during a round; outside one, `you` is the evening's state itself).
export const EVENING = { LOBBY: "lobby", ROUND: "round", BREAK: "break", OVER: "ended" };
export const YOU = { TALKING: "talking", BREAK: "break", WAITING: "waiting", LEFT: "left" };
// Who meets whom: a profile's optional gender (left out: prefer not to say) and whom they
// would like to meet (left out: everyone), with the words the form shows.
export const GENDERS = { woman: "Woman", man: "Man", nonbinary: "Nonbinary" };
export const MEET_VALUES = { women: "Women", men: "Men", nonbinary: "Nonbinary people", everyone: "Everyone" };

// Why someone waits although others are here.
export const WAIT_REASONS = {
  nobody_to_meet: "Nobody here you can meet yet. You will meet someone as soon as they arrive.",
};

// Leave and report: the reasons (code: words) and the longest note the host takes.
export const REPORT_REASONS = {
  uncomfortable: "made me uncomfortable",
  inappropriate: "inappropriate",
  fake: "fake profile",
  other: "something else",
};
export const REPORT_NOTE_MAX = 300;

// The refusal of someone the host removed.
export const REMOVED = { code: "removed", message: "The host has removed you from this event." };
