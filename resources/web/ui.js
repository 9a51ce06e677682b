// Screens, banners and the plain words the page shows; peer text only ever via textContent.

import { END, LOCAL_END, PHASE_LABELS } from "./vocab.js";

export const $ = (id) => document.getElementById(id);

const SCREENS = ["loading", "problem", "profile", "lobby", "call", "ended"];

/** Show one screen, hide the others; focus its heading when it has one (for screen readers). */
export function showScreen(name) {
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  const changed = document.body.dataset.screen !== name;
  document.body.dataset.screen = name;
  if (changed) {
    const heading = $(`screen-${name}`).querySelector("h1[tabindex]");
    if (heading) heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

/** Set an element's text and hide it when there is none. */
export function say(el, text) {
  el.textContent = text || "";
  el.hidden = !text;
}

const history = [];

/** Show or hide a banner; every text shown is kept in a short history (a test hook). */
export function banner(id, text) {
  const el = $(id);
  if (text && el.textContent !== text) history.push({ id, text, at: Date.now() });
  if (history.length > 100) history.shift();
  say(el, text);
}

export function bannerHistory() {
  return history.slice();
}

let toastTimer = null;

export function toast(text, ms = 5000) {
  const el = $("toast");
  say(el, text);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => say(el, ""), ms);
}

export function phaseName(phase) {
  return PHASE_LABELS[phase] || "";
}

/**
 * Why a conversation ended, in plain words.
 * ctx: {partner: name or "", byMe: bool, hadPartner: bool}
 */
export function endedText(reason, ctx) {
  const who = ctx.partner || "Your partner";
  if (ctx.byMe) return "You ended the conversation.";
  switch (reason) {
    case END.PEER_LEFT:
      return ctx.hadPartner ? `${who} ended the conversation.` : "The conversation ended.";
    case END.PEER_DISCONNECTED:
      return `${who} lost the connection and did not come back in time, so the conversation ended.`;
    case END.HOST_ENDED:
      return "The host ended the conversation.";
    case END.RESET:
      return "The host started a new round, so every conversation ended.";
    case END.HOST_STOPPED:
      return "The host closed HeartLink.";
    case END.ROUND_OVER:
      return `Time is up: this round with ${who} is over.`;
    case END.TIMEOUT:
      return ctx.hadPartner
        ? "The conversation ended by itself after a long time with nobody speaking or typing."
        : "Nobody joined in time, so the wait ended. You can try again.";
    case LOCAL_END.CONNECTION_LOST:
      return "This device lost its connection to the host, so the conversation ended.";
    case LOCAL_END.INVALID_RESUME:
      return "The conversation has ended: your partner waited too long for you to come back.";
    default:
      return "The conversation ended.";
  }
}

/** `1:05` for 65 seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
