// What the page shows for its state: the screen, the call's status line, the partner, the ended screen.

import { PAGE, S, go, inConversation, is, onChange } from "./state.js";
import { $, endedText, phaseName, say, showScreen } from "./ui.js";
import { PAGE_SUMMARY_WAIT_MS, PHASES, WAIT_REASONS } from "./vocab.js";

const [WAITING_PHASE] = PHASES; // before the partner is there: no chip

/** The screen of each state. */
const SCREEN = {
  [PAGE.LOADING]: "loading",
  [PAGE.PROBLEM]: "problem",
  [PAGE.PROFILE]: "profile",
  [PAGE.RESTORING]: "loading",
  [PAGE.JOINING]: "call",
  [PAGE.QUEUED]: "call",
  [PAGE.LOBBY]: "lobby",
  [PAGE.WAITING]: "call",
  [PAGE.ACTIVE]: "call",
  [PAGE.LEFT]: "call",
  [PAGE.ENDED]: "ended",
};

/** From now on every change of state shows its screen. */
export function followState() {
  const show = (state) => {
    document.body.dataset.state = state;
    showScreen(SCREEN[state]);
  };
  onChange(show);
  show(S.state);
}

/** Whether the page's state shows the screen `name`. */
export function shows(name) {
  return SCREEN[S.state] === name;
}

/** The call screen's status, stage message, buttons and partner line, from the state. */
export function render() {
  const name = S.partnerName || "Your partner";
  const active = is(PAGE.ACTIVE);
  let status;
  let stage;
  let end = "Leave";
  if (is(PAGE.QUEUED)) {
    const { position, ahead } = S.place;
    status = `🟡 In line: number ${position}`;
    const who = ahead === 1 ? "1 person is" : `${ahead} people are`;
    const why = WAIT_REASONS[S.waitReason];
    stage = why ? `You are number ${position} in line. ${why}`
      : `You are number ${position} in line. ${ahead ? `${who} ahead of you. ` : ""}You will be paired as soon as a conversation ends.`;
    end = "Leave the line";
  } else if (is(PAGE.LEFT)) {
    status = `⚪ ${name} left`;
    stage = `${name} left the conversation.`;
  } else if (is(PAGE.WAITING)) {
    status = "🟡 Waiting for peer...";
    stage = WAIT_REASONS[S.waitReason] || "Waiting for someone to join…";
  } else if (active) {
    status = "🟢 Connected";
    stage = S.remotePlaying ? "" : "Connecting video…";
    end = "End call";
  } else {
    status = "Joining…";
    stage = "Joining…";
  }
  $("status").textContent = status;
  say($("stage-message"), stage);
  $("btn-end").querySelector(".label").textContent = end;
  $("btn-report").hidden = !is(PAGE.ACTIVE, PAGE.LEFT); // someone to report: the partner, or who just left
  $("talk").hidden = !inConversation(); // nothing to read or say while joining or in line
  $("say").disabled = !active;
  $("btn-send").disabled = !active;
  const partner = $("partner");
  partner.hidden = !(inConversation() && S.partner && S.partner.profile);
  if (!partner.hidden) {
    $("partner-name").textContent = S.partnerName;
    $("partner-line").textContent = typeof S.partner.line === "string" ? S.partner.line : ""; // written by the host
  }
  $("partner-row").hidden = partner.hidden && $("btn-report").hidden;
}

export function setPhase(phase) {
  const label = phase && phase !== WAITING_PHASE ? phaseName(phase) : "";
  say($("phase"), label);
}

/** The partner as the host describes them: {id, role, profile}, or null. */
export function setPartner(peer) {
  S.partner = peer || null;
  if (peer && peer.profile) S.partnerName = String(peer.profile.name || "");
}

export function syncButtons() {
  const mic = $("btn-mic");
  mic.setAttribute("aria-pressed", String(!S.micOn));
  mic.querySelector(".label").textContent = S.micOn ? "Mute" : "Unmute";
  const cam = $("btn-cam");
  cam.setAttribute("aria-pressed", String(!S.camOn));
  cam.querySelector(".label").textContent = S.camOn ? "Camera off" : "Camera on";
  $("local-video").classList.toggle("off", !S.camOn);
  const hasVideo = !!S.stream && S.stream.getVideoTracks().length > 0;
  cam.disabled = !hasVideo;
}

export function showProfile(notice = "") {
  say($("profile-notice"), notice);
  $("btn-enter").disabled = false;
  $("btn-enter").textContent = "Enter HeartLink";
  go(PAGE.PROFILE);
}

/** The problem screen; `removed`: the host's refusal, with no way on but reading it. */
export function showProblem(text, steps = [], ca = false, removed = false) {
  $("problem-title").textContent = removed ? "You can't take part in this event" : "HeartLink can't start here";
  $("problem-retry").hidden = removed;
  say($("problem-text"), text);
  const list = $("problem-steps");
  list.replaceChildren(...steps.map((s) => Object.assign(document.createElement("li"), { textContent: s })));
  list.hidden = steps.length === 0;
  $("problem-ca").hidden = !ca;
  go(PAGE.PROBLEM);
}

/** The ended screen for one conversation. ctx: {partner, byMe, hadPartner}. */
export function showEnded(reason, ctx, { summary = "", waitSummary = false } = {}) {
  S.again = null; // a new conversation's "again?" question comes anew (evening.js)
  $("again-card").hidden = true;
  $("ended-title").textContent = "The conversation has ended";
  $("btn-restart").textContent = S.evening ? "Leave the evening" : "Back to start";
  say($("ended-reason"), endedText(reason, ctx));
  say($("ended-report"), "");
  showSummary(summary, waitSummary);
  say($("ended-note"), "");
  go(PAGE.ENDED);
  if (waitSummary) setTimeout(() => ($("ended-wait").hidden = true), PAGE_SUMMARY_WAIT_MS);
}

/** The summary on the ended screen, or the note that it is on its way. */
export function showSummary(summary, waiting = false) {
  say($("ended-summary"), summary);
  $("ended-summary-wrap").hidden = !summary;
  $("ended-wait").hidden = !waiting;
}
