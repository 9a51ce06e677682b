// The HeartLink peer page: start-up, and the wiring of its parts to the host.

import { wireControls } from "./actions.js";
import { problem, voice } from "./conversation.js";
import { wireEvening } from "./evening.js";
import { Link } from "./link.js";
import { mediaProblem } from "./media.js";
import { nameChoices, restoreForm, sharedContact } from "./profile.js";
import { wireReport } from "./report.js";
import { PAGE, S, go, is } from "./state.js";
import { $, bannerHistory } from "./ui.js";
import { followState, showProfile } from "./view.js";
import { FACILITATOR } from "./vocab.js";
import { wireSocket } from "./wire.js";

const BOOT_RESTORE_MS = 8000; // a reload with a secret and the host out of reach: the profile

/**
 * The tests' read-only view into the page, only when they opened it: they set
 * `window.HEARTLINK_TEST_HOOK = true` before any script runs (tests/e2e/browser.py).
 */
function installTestHook() {
  if (window.HEARTLINK_TEST_HOOK !== true) return;
  window.heartlink = Object.freeze({
    get socket() {
      return S.link.socket;
    },
    get pc() {
      return S.call ? S.call.pc : null;
    },
    get localStream() {
      return S.stream;
    },
    get role() {
      return S.session ? S.session.role : null;
    },
    get state() {
      return S.state;
    },
    get removed() {
      return S.removed;
    },
    get report() {
      return S.report ? { ...S.report } : null;
    },
    banners: bannerHistory,
    get speech() {
      return {
        status: S.hostStt, speaking: voice.speaking, running: voice.running, queued: voice.queue.length,
        audio: voice.ctx ? voice.ctx.state : null, blocked: voice.blocked, ...voice.stats,
      };
    },
  });
}

function boot() {
  const form = $("profile-form");
  const token = new URLSearchParams(location.search).get("t");
  followState();
  nameChoices(form);
  $("ai-name").textContent = FACILITATOR.name;
  wireControls(form);
  restoreForm(form);
  if (!token) {
    problem("This page needs the link from the host's QR code.", [
      "Scan the QR code shown on the host's screen again.",
    ]);
    return;
  }
  const trouble = mediaProblem();
  if (trouble) {
    problem(trouble.text, trouble.steps, trouble.ca);
    return;
  }
  S.link = new Link(token);
  wireSocket(S.link);
  wireEvening(S.link, () => sharedContact(form));
  wireReport(S.link);
  installTestHook();
  if (S.link.hasResume) {
    $("screen-loading").querySelector("p").textContent = "Returning to your conversation…";
    go(PAGE.RESTORING);
    setTimeout(() => {
      if (is(PAGE.RESTORING)) showProfile(); // the host is out of reach
    }, BOOT_RESTORE_MS);
  } else {
    showProfile();
  }
}

boot();
