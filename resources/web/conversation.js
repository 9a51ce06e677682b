// One attempt's media and talk: the camera, the call, the transcript, speech to text, reading
// aloud, and letting go of all of them when it ends.

import { Call } from "./call.js";
import { LevelMeter, audioContext, stopStream } from "./media.js";
import { HostSpeech, NO_SOUND, speechNote } from "./speech.js";
import { PAGE, S, is } from "./state.js";
import { ReadAloud, SpeechInput, Transcript } from "./talk.js";
import { $, banner, say, toast } from "./ui.js";
import { render, showEnded, showProblem, syncButtons } from "./view.js";
import { EVENING, ROLES } from "./vocab.js";

const [ROLE_A] = ROLES; // the polite side of the call

export const transcript = new Transcript($("transcript"));

function speechProblem(text) {
  $("stt").checked = false;
  say($("stt-note"), text);
}

/** The browser's own speech recognition (when the host does not transcribe). */
export const speech = new SpeechInput({
  onFinal: (text) => sendLine(text),
  onInterim: (text) => say($("interim"), text ? `… ${text}` : ""),
  onProblem: speechProblem,
});

/** This person's voice to the host's speech to text. */
export const voice = new HostSpeech({
  socket: () => S.link.socket,
  canSend: () => is(PAGE.ACTIVE) && S.micOn,
  onProblem: speechProblem,
  onSound: (runs) => (runs ? applySpeech() : speechProblem(NO_SOUND)),
});

export const readAloud = new ReadAloud((speaking) => {
  speech.hold("read-aloud", speaking);
  voice.hold("read-aloud", speaking);
});

let interimTimer = null;

/** The partner's words while they are still speaking (gone with their line, or after 6 s). */
export function interim(text) {
  say($("interim"), text);
  clearTimeout(interimTimer);
  if (text) interimTimer = setTimeout(() => say($("interim"), ""), 6000);
}

/** The host said whether it transcribes: its speech to text, or the browser's own. */
export function speechStatus(status) {
  S.hostStt = status;
  applySpeech();
}

export function applySpeech() {
  const status = S.hostStt;
  const stt = $("stt");
  if (!status || !status.transcribes) {
    voice.stop();
    stt.closest("label").hidden = !SpeechInput.supported;
    return;
  }
  speech.stop(); // never both
  stt.closest("label").hidden = false;
  stt.checked = !S.sttOff;
  const lines = [stt.checked ? speechNote(status) : "", status.over_capacity ? String(status.message || "") : ""];
  if (stt.checked && status.note) lines.push(String(status.note)); // why the host uses its lesser engine
  say($("stt-note"), lines.filter(Boolean).join(" "));
  if (stt.checked && S.stream) {
    voice.start(audioContext(), S.stream);
    voice.pause(!S.micOn);
    if (voice.blocked) speechProblem(NO_SOUND); // still no sound: not running, whatever the toggle says
  } else {
    voice.stop();
  }
}

/** A line typed or heard: to the host, once the partner is there. */
export function sendLine(text) {
  const line = String(text || "").trim();
  if (!line) return false;
  if (!is(PAGE.ACTIVE, PAGE.LEFT)) {
    toast("Your partner has not joined yet.");
    return false;
  }
  S.link.emit("transcript_update", { text: line });
  return true;
}

// -- local media and the call --------------------------------------------------------------

export function startLocal() {
  const local = $("local-video");
  local.srcObject = S.stream;
  local.hidden = !S.stream || S.stream.getVideoTracks().length === 0;
  S.meter = new LevelMeter(S.stream, {
    onLevel: (level) => {
      $("meter-bar").style.transform = `scaleX(${level})`;
    },
    onSpeaking: (speaking) => {
      if (S.session) S.link.emit("audio_activity", { speaking });
    },
  });
  S.micOn = true;
  S.camOn = true;
  syncButtons();
  if (S.hostStt) applySpeech(); // a camera that started after the host's speech_status
}

function showRemote(stream) {
  const video = $("remote-video");
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {
    $("btn-play").hidden = false; // the browser wants a tap before playing sound
  });
}

function onMediaState(state) {
  if (state === "connected" || state === "closed" || state === "new" || state === "connecting") {
    banner("banner-media", "");
  } else if (state === "disconnected") {
    banner("banner-media", "The video connection is interrupted. Trying to restore it…");
  } else if (state === "failed" || state === "restarting") {
    banner("banner-media", "The video connection was lost. Reconnecting the call…");
  }
}

export function startCall() {
  S.call = new Call({
    stream: S.stream,
    polite: S.session.role === ROLE_A,
    send: (event, payload) => S.link.emit(event, payload),
    onRemote: showRemote,
    onState: onMediaState,
  });
  if (S.partner) S.call.setTarget(S.partner.id);
  const early = S.early;
  S.early = [];
  for (const [event, data] of early) signal(event, data);
}

/** An offer, answer or candidate from the partner (kept until the call exists). */
export function signal(event, data) {
  if (!S.session || !data) return;
  if (!S.call) {
    S.early.push([event, data]);
    return;
  }
  if (event === "offer") S.call.handleOffer(data.offer, data.sender);
  else if (event === "answer") S.call.handleAnswer(data.answer, data.sender);
  else S.call.handleCandidate(data.candidate, data.sender);
}

function clearRemote() {
  $("remote-video").srcObject = null;
  S.remotePlaying = false;
  $("btn-play").hidden = true;
}

/** The partner is gone: their call and video with them. */
export function dropCall() {
  if (S.call) S.call.close();
  S.call = null;
  $("remote-video").srcObject = null;
  S.remotePlaying = false;
  banner("banner-peer", "");
  banner("banner-media", "");
  render();
}

/** Let go of everything of the current attempt: call, camera, timers, secret. Between the
 * rounds of an evening the camera stays on, ready for the next partner. The caller moves
 * the state next. */
export function teardown() {
  const keepMedia = Boolean(S.evening && S.evening.state !== EVENING.OVER);
  clearTimeout(S.joinTimer);
  clearTimeout(S.resumeTimer);
  if (S.call) S.call.close();
  S.call = null;
  speech.stop();
  voice.stop();
  S.hostStt = null;
  $("stt").checked = false;
  say($("stt-note"), "");
  if (ReadAloud.supported) window.speechSynthesis.cancel();
  if (!keepMedia) {
    if (S.meter) S.meter.stop();
    S.meter = null;
    stopStream(S.stream);
    S.stream = null;
    $("local-video").srcObject = null;
  }
  clearRemote();
  Object.assign(S, { session: null, partner: null, place: null, waitReason: "", early: [] });
  if (S.link) S.link.drop();
  for (const id of ["banner-peer", "banner-media"]) banner(id, "");
  $("ai-card").hidden = true;
  transcript.clear();
}

/** This conversation is over here: the ended screen says why. */
export function endHere(reason, { summary = "", byMe = false, waitSummary = false } = {}) {
  // the partner was here: the conversation reached active (or a reclaim was bringing them back)
  const hadPartner = is(PAGE.ACTIVE, PAGE.LEFT) || Boolean(S.partner && S.partner.profile);
  const ctx = { partner: S.partnerName, byMe, hadPartner };
  S.endedSession = S.session ? S.session.id : null;
  teardown();
  showEnded(reason, ctx, { summary, waitSummary });
}

/** The page cannot go on: let go of everything and say why. */
export function problem(text, steps = [], ca = false) {
  teardown();
  showProblem(text, steps, ca);
}

/** The host removed this person: let go of everything, never reconnect, say the host's words. */
export function removed(text) {
  S.removed = true;
  S.evening = null;
  teardown();
  S.link.socket.io.reconnection(false);
  S.link.socket.disconnect();
  showProblem(text, [], false, true);
}
