// The page's one named state, the only functions that move it, and the data of the attempt.

/** Where the page is. The screen shown follows from it (view.js). */
export const PAGE = Object.freeze({
  LOADING: "loading", // start-up: the page has not decided yet
  PROBLEM: "problem", // it cannot work here (no token, no camera API, a refused link)
  PROFILE: "profile", // the form; no conversation
  RESTORING: "restoring", // a reload with a stored secret: waiting to hear whether the slot is back
  JOINING: "joining", // `join` sent, no answer yet
  QUEUED: "queued", // in line for a conversation
  LOBBY: "lobby", // in an evening of rounds, between conversations
  WAITING: "waiting", // in a conversation, alone so far
  ACTIVE: "active", // in a conversation with the partner
  LEFT: "left", // the partner left; the end follows
  ENDED: "ended", // the ended screen: why, the summary, the "again?" question
});

const P = PAGE;
const CONVERSATION = [P.WAITING, P.ACTIVE, P.LEFT];
// Every state but loading and problem may meet a reclaimed slot (`session_info {resumed}`):
// the socket presents its secret whenever it has one.
const RECLAIM = [P.WAITING, P.ACTIVE];

/** The moves the page makes; any other is a bug and throws. Staying put is always allowed. */
const NEXT = {
  [P.LOADING]: [P.PROFILE, P.RESTORING, P.PROBLEM],
  [P.PROBLEM]: [],
  [P.PROFILE]: [P.JOINING, P.LOBBY, ...RECLAIM, P.PROBLEM], // lobby: a late answer to a join
  [P.RESTORING]: [...RECLAIM, P.PROFILE, P.ENDED, P.PROBLEM],
  [P.JOINING]: [P.QUEUED, P.LOBBY, ...RECLAIM, P.PROFILE, P.PROBLEM],
  [P.QUEUED]: [P.LOBBY, ...RECLAIM, P.PROFILE, P.PROBLEM],
  [P.LOBBY]: [...RECLAIM, P.ENDED, P.PROFILE, P.PROBLEM],
  [P.WAITING]: [P.ACTIVE, P.LEFT, P.ENDED, P.PROFILE, P.PROBLEM],
  [P.ACTIVE]: [P.WAITING, P.LEFT, P.ENDED, P.PROFILE, P.PROBLEM],
  [P.LEFT]: [...RECLAIM, P.ENDED, P.PROFILE, P.PROBLEM],
  [P.ENDED]: [P.LOBBY, ...RECLAIM, P.PROFILE, P.PROBLEM], // waiting/active: the next round
};

let current = P.LOADING;
const listeners = [];

/**
 * What the page holds besides its state: the connection, the media, the conversation, and
 * the person's choices. Which fields mean something depends on `S.state`.
 */
export const S = {
  get state() {
    return current;
  },
  link: null, // the Link to the host
  profile: null, // what the last join sent
  stream: null, // the local camera and microphone
  meter: null,
  call: null,
  session: null, // {id, role} while in a conversation (and while a reclaim sets it up)
  partner: null, // {id, role, profile}
  partnerName: "",
  place: null, // in line: {position, ahead}
  waitReason: "", // why the host keeps this person waiting although others are here (WAIT_REASONS)
  joinTimer: null,
  resumeTimer: null,
  early: [], // signaling that arrived before the call object existed
  endedSession: null, // the id of the conversation the ended screen is about
  abandoned: new Set(), // sessions left while still waiting: their end is not news
  remotePlaying: false, // the partner's video is playing
  micOn: true,
  camOn: true,
  hostStt: null, // the host's speech_status: {transcribes, engine, remote, over_capacity, message}
  sttOff: false, // the person switched the host's speech to text off
  evening: null, // in an evening of rounds: {state, round, rounds, seconds_left, you}
  again: null, // the open "talk again?" question: {id, name, answered, yes}
  report: null, // a report sent and not yet confirmed, or confirmed: {name, from, confirmed}
  removed: false, // the host removed this person: the page stays on its problem screen
};

/** Whether the page is in one of `names`. */
export function is(...names) {
  return names.includes(current);
}

/** In a conversation (with or without the partner, or just after they left). */
export function inConversation() {
  return CONVERSATION.includes(current);
}

export function can(next) {
  return next === current || NEXT[current].includes(next);
}

/** Move to `next`; throws on a move the table does not allow. Listeners hear every change. */
export function go(next) {
  if (!(next in NEXT)) throw new Error(`page state: no state "${next}"`);
  if (next === current) return;
  if (!NEXT[current].includes(next)) throw new Error(`page state: ${current} -> ${next} is not a move`);
  const from = current;
  current = next;
  for (const fn of listeners) fn(next, from);
}

/** fn(state, from) after each change. */
export function onChange(fn) {
  listeners.push(fn);
}
