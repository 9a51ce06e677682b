// The words the page shares with the host, once for the page. Their source is
// heartlink_desktop/core/vocab.py; tests/unit/test_vocab.py checks the two agree.

export const ROLES = ["A", "B"];

export const FACILITATOR = { id: "janitor_01", name: "HeartLink", speaker: "AI" };

export const PHASE_LABELS = {
  waiting: "Waiting",
  icebreaker: "Icebreaker",
  deep_dive: "Deep dive",
  decision: "Decision",
};

// The phases in the order a conversation goes through them, and the first one with talk.
export const PHASES = ["waiting", "icebreaker", "deep_dive", "decision"];
export const FIRST_TALKING_PHASE = "icebreaker";

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
