// The host's events, and what each one changes on the page.

import {
  dropCall, endHere, interim, problem, readAloud, removed, signal, speechStatus, startCall, startLocal, teardown,
  transcript,
} from "./conversation.js";
import { inEvening, rejoinEvening } from "./evening.js";
import { openCamera, stopStream } from "./media.js";
import { PAGE, S, go, inConversation, is } from "./state.js";
import { $, banner, say, toast } from "./ui.js";
import { render, setPartner, setPhase, showProfile, showSummary, shows } from "./view.js";
import { FACILITATOR, FIRST_TALKING_PHASE, LOCAL_END, REMOVED, ROLES, STATUS, WAIT_REASONS } from "./vocab.js";

const RESUME_TIMEOUT_MS = 8000; // back online, but the host did not give the slot back
const RESTORE_TIMEOUT_MS = 5000; // after a reload with a stored secret
const [, ROLE_B] = ROLES; // the side that offers first

/** The host's error codes the page acts on (docs/protocol.md, "Error codes"). */
const CODE = Object.freeze({
  INVALID_TOKEN: "invalid_token",
  INVALID_RESUME: "invalid_resume",
  SESSION_FULL: "session_full",
  INVALID_PROFILE: "invalid_profile",
  INVALID_ROOM: "invalid_room",
  INVALID_TARGET: "invalid_target",
  NOT_IN_SESSION: "not_in_session",
  ALREADY_JOINED: "already_joined",
  ALREADY_QUEUED: "already_queued",
  REMOVED: REMOVED.code,
});

/** A `join` refused: back to the profile, with the host's words (ours when it gave none). */
const JOIN_REFUSED = {
  [CODE.SESSION_FULL]: "Matchmaking room is full.",
  [CODE.INVALID_PROFILE]: "The host refused this profile.",
  [CODE.INVALID_ROOM]: "The host refused this profile.",
};

/** Signaling to a partner that just left or came back, a second join: nothing to show. */
const QUIET = [CODE.INVALID_TARGET, CODE.NOT_IN_SESSION, CODE.ALREADY_JOINED, CODE.ALREADY_QUEUED];

/** A reason the host gave for keeping someone waiting, if the page has words for it. */
function waitReason(reason) {
  return typeof reason === "string" && reason in WAIT_REASONS ? reason : "";
}

/** The state a conversation is in by the host's `status`. */
function stateOf(status) {
  return status === STATUS.ACTIVE ? PAGE.ACTIVE : PAGE.WAITING;
}

/** Listen to the host on `link`'s socket. */
export function wireSocket(link) {
  const socket = link.socket;
  const mine = (id) => S.session && id === S.session.id;

  // -- the connection ----------------------------------------------------------------------
  socket.on("connect", () => {
    banner("banner-connection", "");
    if (is(PAGE.RESTORING)) {
      clearTimeout(S.resumeTimer);
      S.resumeTimer = setTimeout(() => {
        if (!is(PAGE.RESTORING)) return;
        link.drop();
        showProfile();
      }, RESTORE_TIMEOUT_MS);
    }
    if (!link.takeLost()) return;
    if (is(PAGE.QUEUED) && S.profile) {
      // a place in line belongs to a connection: stand in line again
      link.join(S.profile);
      toast("The connection was lost for a moment; you are back in line.");
    } else if (inEvening() && is(PAGE.LOBBY, PAGE.ENDED)) {
      // the host forgets a person whose socket went (or restarted): back in with the secret
      rejoinEvening();
    } else if (inConversation()) {
      if (!link.hasResume) {
        endHere(LOCAL_END.CONNECTION_LOST);
        return;
      }
      clearTimeout(S.resumeTimer);
      S.resumeTimer = setTimeout(() => {
        if (inConversation() && !link.lost) endHere(LOCAL_END.CONNECTION_LOST);
      }, RESUME_TIMEOUT_MS);
    }
  });

  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return;
    if (reason === "io server disconnect") {
      // the host closed it (a reset or a stop); reconnect when the person does something
      if (inConversation()) endHere(LOCAL_END.CONNECTION_LOST);
      else if (is(PAGE.JOINING, PAGE.QUEUED)) {
        teardown();
        showProfile("The host closed the connection. Try again.");
      }
      return;
    }
    banner("banner-connection", "The connection to the host was lost. Reconnecting…");
  });

  socket.io.on("reconnect_attempt", (n) => {
    if (n > 1) banner("banner-connection", `The connection to the host was lost. Reconnecting… (try ${n})`);
  });

  socket.on("connect_error", (err) => {
    const code = err && err.data && err.data.error;
    if (code === CODE.INVALID_TOKEN) {
      if (is(PAGE.ENDED)) {
        say($("ended-note"), "To talk again, scan the host's QR code again: this link is not valid any more.");
        return;
      }
      problem(err.message || "This link is not valid any more.", [
        "Scan the QR code on the host's screen again: the host may have started a new round.",
      ]);
      return;
    }
    if (code === CODE.INVALID_RESUME) {
      const had = inConversation() || is(PAGE.RESTORING);
      link.drop(); // and connect again with the token alone
      socket.connect();
      // In an evening the slot is gone after a host restart too, not only after a long
      // absence; either way the page goes back to the evening once connected (above).
      if (had) endHere(inEvening() ? LOCAL_END.CONNECTION_LOST : LOCAL_END.INVALID_RESUME);
      return;
    }
    if (!socket.active) {
      problem(err.message || "The host refused the connection.", ["Scan the host's QR code again."]);
      return;
    }
    banner("banner-connection", "Can't reach the host. Retrying… Check that this device is on the same Wi-Fi as the host.");
  });

  // -- joining -----------------------------------------------------------------------------
  socket.on("session_info", (info) => {
    if (!info || typeof info !== "object") return;
    clearTimeout(S.joinTimer);
    if (typeof info.resume === "string" && info.resume) link.keep(info.session_id, info.resume);
    if (info.resumed === true) {
      resumed(info);
      return;
    }
    if (!is(PAGE.JOINING, PAGE.QUEUED) && !S.evening) {
      // the answer to a join this page gave up on
      socket.emit("leave");
      link.drop();
      return;
    }
    S.place = null;
    S.waitReason = waitReason(info.wait_reason);
    S.session = { id: info.session_id, role: info.role };
    if (S.evening) {
      // a new round: a new partner, on the call screen with the camera still on
      S.partnerName = "";
      transcript.clear();
    }
    setPartner(info.peer);
    setPhase(info.phase || (info.status === STATUS.ACTIVE ? FIRST_TALKING_PHASE : null));
    go(stateOf(info.status));
    startCall();
    if (info.role === ROLE_B && info.peer) S.call.offer();
    render();
  });

  socket.on("queued", (q) => {
    if (!q || typeof q !== "object" || q.left) return; // leaving the line was already shown
    if (!is(PAGE.JOINING, PAGE.QUEUED)) return;
    clearTimeout(S.joinTimer);
    S.place = { position: Number(q.position) || 1, ahead: Number(q.ahead) || 0 };
    S.waitReason = waitReason(q.reason);
    go(PAGE.QUEUED);
    render();
  });

  socket.on("session_error", (e) => {
    const code = e && e.error;
    const message = String((e && e.message) || "").trim();
    if (code === CODE.REMOVED) {
      removed(message || REMOVED.message); // in any state: the host closes the socket next
      return;
    }
    if (is(PAGE.JOINING, PAGE.QUEUED) && code in JOIN_REFUSED) {
      teardown();
      showProfile(message || JOIN_REFUSED[code]);
      return;
    }
    if (QUIET.includes(code)) {
      console.debug("host:", code, message);
      return;
    }
    if (shows("call") && message) toast(message);
    else console.warn("host:", code, message);
  });

  // -- the partner -------------------------------------------------------------------------
  socket.on("user_joined", (u) => {
    if (!S.session || !u || typeof u !== "object") return;
    setPartner(u);
    S.waitReason = "";
    if (S.call) S.call.setTarget(u.id);
    if (!$("phase").textContent) setPhase(FIRST_TALKING_PHASE);
    go(PAGE.ACTIVE);
    render();
  });

  socket.on("user_left", (u) => {
    if (!inConversation() || !u || (S.partner && u.id !== S.partner.id && u.role !== S.partner.role)) return;
    go(PAGE.LEFT);
    dropCall();
  });

  socket.on("peer_status", (p) => {
    if (!S.session || !p || typeof p !== "object" || p.role === S.session.role) return;
    const name = S.partnerName || "Your partner";
    if (p.state === "reconnecting") {
      banner("banner-peer", `${name} is reconnecting...`);
      if (S.call) S.call.hold(true);
    } else if (p.state === "connected") {
      banner("banner-peer", "");
      const id = typeof p.id === "string" && p.id ? p.id : S.partner && S.partner.id;
      if (S.partner) S.partner.id = id;
      if (S.call) S.call.partnerBack(id);
    }
  });

  for (const event of ["offer", "answer", "ice_candidate"]) {
    socket.on(event, (data) => signal(event, data));
  }

  // -- the conversation --------------------------------------------------------------------
  socket.on("transcript_update", (e) => {
    if (!e || !mine(e.session_id)) return;
    if (e.speaker !== S.session.role) interim(""); // the line that was being said
    transcript.add(e, e.speaker === S.session.role);
  });

  socket.on("ai_interjection", (e) => {
    if (!e || !mine(e.session_id)) return;
    const text = String(e.text ?? "");
    $("ai-text").textContent = text;
    $("ai-card").hidden = false; // first: the card takes room from the transcript, then it scrolls
    transcript.add({ speaker: FACILITATOR.speaker, name: FACILITATOR.name, text });
    readAloud.say(text);
  });

  socket.on("transcript_interim", (e) => {
    if (!e || !mine(e.session_id) || e.speaker === S.session.role) return;
    interim(`… ${S.partnerName || "Your partner"}: ${String(e.text ?? "")}`);
  });

  socket.on("speech_status", (status) => {
    if (status && typeof status === "object") speechStatus(status);
  });

  socket.on("phase_changed", (p) => {
    if (p && mine(p.session_id)) setPhase(p.phase);
  });

  socket.on("session_ended", (e) => {
    if (!e || typeof e !== "object" || S.abandoned.has(e.session_id)) return;
    const summary = typeof e.summary === "string" ? e.summary : "";
    if (is(PAGE.ENDED) && e.session_id === S.endedSession) {
      showSummary(summary); // the end this page asked for: now with its summary
      return;
    }
    if (!mine(e.session_id)) return;
    endHere(e.reason, { summary });
  });
}

/** The state after a reclaim: the host's status, unless the partner is still gone. */
function reclaimed(info) {
  if (is(PAGE.LEFT) && !(info.peer && info.peer.profile)) return PAGE.LEFT;
  return stateOf(info.status);
}

/** This page got its slot back (after a blip or a reload): rebuild the call and offer again. */
async function resumed(info) {
  clearTimeout(S.resumeTimer);
  S.place = null;
  S.session = { id: info.session_id, role: info.role };
  setPartner(info.peer);
  setPhase(info.phase);
  transcript.replace(Array.isArray(info.transcript) ? info.transcript : [], info.role);
  banner("banner-connection", "");
  if (!S.stream) {
    let stream = null;
    try {
      stream = await openCamera();
    } catch (err) {
      toast(err.message, 8000);
    }
    if (!S.session || S.session.id !== info.session_id) {
      stopStream(stream); // it ended while the camera started
      return;
    }
    S.stream = stream;
    startLocal();
  }
  go(reclaimed(info)); // the call screen
  if (!S.call) startCall();
  if (info.peer) {
    S.call.setTarget(info.peer.id);
    S.call.hold(false);
    S.call.renegotiate();
  }
  render();
}
