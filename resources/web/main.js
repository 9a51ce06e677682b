// The HeartLink peer page: the profile, joining, the call and its end, wired to the host.

import { Call } from "./call.js";
import { Link } from "./link.js";
import { LevelMeter, audioContext, mediaProblem, openCamera, stopStream } from "./media.js";
import { HostSpeech, speechNote } from "./speech.js";
import { personSecret, wireEvening } from "./evening.js";
import { keepForm, readForm, restoreForm, saveForm, sharedContact } from "./profile.js";
import { ReadAloud, SpeechInput, Transcript, wireToggles } from "./talk.js";
import { wireSocket } from "./wire.js";
import { $, banner, bannerHistory, endedText, oneLine, phaseName, say, showScreen, toast } from "./ui.js";

const JOIN_TIMEOUT_MS = 15000; // no answer to `join`: say so instead of waiting forever

const S = {
  link: null,
  profile: null, // what the last join sent
  stream: null,
  meter: null,
  call: null,
  session: null, // {id, role, status}
  partner: null, // {id, role, profile}
  partnerName: "",
  hadPartner: false,
  partnerLeft: false,
  queued: null, // {position, ahead}
  joining: false,
  joinTimer: null,
  resumeTimer: null,
  restoring: false, // a reload with a stored secret: waiting to hear whether the slot is back
  dropped: false, // the socket went away during a session
  early: [], // signaling that arrived before the call object existed
  endedSession: null,
  abandoned: new Set(), // sessions left while still waiting: their end is not news
  remotePlaying: false,
  micOn: true,
  camOn: true,
  hostStt: null, // the host's speech_status: {transcribes, engine, remote, over_capacity, message}
  sttOff: false, // the person switched the host's speech to text off
  evening: null, // in an evening of rounds: {state, round, rounds, seconds_left, you}
  again: null, // the open "talk again?" question: {id, name, answered, yes}
};
let evening = null; // what evening.js returns once the socket exists

const form = $("profile-form");
const transcript = new Transcript($("transcript"));
const speech = new SpeechInput({
  onFinal: (text) => sendLine(text),
  onInterim: (text) => say($("interim"), text ? `… ${text}` : ""),
  onProblem: (text) => {
    $("stt").checked = false;
    say($("stt-note"), text);
  },
});
const voice = new HostSpeech({
  socket: () => S.link.socket,
  canSend: () => Boolean(S.session && S.session.status === "active" && !S.partnerLeft && S.micOn),
  onProblem: (text) => {
    $("stt").checked = false;
    say($("stt-note"), text);
  },
});
const readAloud = new ReadAloud((speaking) => {
  speech.hold("read-aloud", speaking);
  voice.hold("read-aloud", speaking);
});

let interimTimer = null;

/** The partner's words while they are still speaking (gone with their line, or after 6 s). */
function interim(text) {
  say($("interim"), text);
  clearTimeout(interimTimer);
  if (text) interimTimer = setTimeout(() => say($("interim"), ""), 6000);
}

/** The host said whether it transcribes: its speech to text, or the browser's own. */
function speechStatus(status) {
  S.hostStt = status;
  applySpeech();
}

function applySpeech() {
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
  say($("stt-note"), lines.filter(Boolean).join(" "));
  if (stt.checked && S.stream) {
    voice.start(audioContext(), S.stream);
    voice.pause(!S.micOn);
  } else {
    voice.stop();
  }
}

// -- screens ------------------------------------------------------------------------------

function problem(text, steps = [], ca = false) {
  teardown();
  say($("problem-text"), text);
  const list = $("problem-steps");
  list.replaceChildren(...steps.map((s) => Object.assign(document.createElement("li"), { textContent: s })));
  list.hidden = steps.length === 0;
  $("problem-ca").hidden = !ca;
  showScreen("problem");
}

function showProfile(notice = "") {
  say($("profile-notice"), notice);
  $("btn-enter").disabled = false;
  $("btn-enter").textContent = "Enter HeartLink";
  showScreen("profile");
}

function render() {
  const name = S.partnerName || "Your partner";
  const active = S.session && S.session.status === "active" && !S.partnerLeft;
  let status;
  let stage;
  let end = "Leave";
  if (S.queued) {
    status = `🟡 In line: number ${S.queued.position}`;
    const ahead = S.queued.ahead === 1 ? "1 person is" : `${S.queued.ahead} people are`;
    stage = `You are number ${S.queued.position} in line. ${S.queued.ahead ? `${ahead} ahead of you. ` : ""}You will be paired as soon as a conversation ends.`;
    end = "Leave the line";
  } else if (!S.session) {
    status = "Joining…";
    stage = "Joining…";
  } else if (S.partnerLeft) {
    status = `⚪ ${name} left`;
    stage = `${name} left the conversation.`;
  } else if (!active) {
    status = "🟡 Waiting for peer...";
    stage = "Waiting for someone to join…";
  } else {
    status = "🟢 Connected";
    stage = S.remotePlaying ? "" : "Connecting video…";
    end = "End call";
  }
  $("status").textContent = status;
  say($("stage-message"), stage);
  $("btn-end").querySelector(".label").textContent = end;
  $("talk").hidden = !S.session; // nothing to read or say while joining or in line
  $("say").disabled = !active;
  $("btn-send").disabled = !active;
  const partner = $("partner");
  partner.hidden = !(S.session && S.partner && S.partner.profile);
  if (!partner.hidden) {
    $("partner-name").textContent = S.partnerName;
    $("partner-line").textContent = oneLine(S.partner.profile);
  }
}

function setPhase(phase) {
  const label = phase && phase !== "waiting" ? phaseName(phase) : "";
  say($("phase"), label);
}

function setPartner(peer) {
  S.partner = peer || null;
  if (peer && peer.profile) {
    S.partnerName = String(peer.profile.name || "");
    S.hadPartner = true;
    S.partnerLeft = false;
  }
}

// -- local media and the call --------------------------------------------------------------

function startLocal() {
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

function startCall() {
  S.call = new Call({
    stream: S.stream,
    polite: S.session.role === "A",
    send: (event, payload) => S.link.emit(event, payload),
    onRemote: showRemote,
    onState: onMediaState,
  });
  if (S.partner) S.call.setTarget(S.partner.id);
  const early = S.early;
  S.early = [];
  for (const [event, data] of early) signal(event, data);
}

function signal(event, data) {
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
  const video = $("remote-video");
  video.srcObject = null;
  S.remotePlaying = false;
  $("btn-play").hidden = true;
}

/** Let go of everything of the current attempt: call, camera, timers, secret. Between the
 * rounds of an evening the camera stays on, ready for the next partner. */
function teardown() {
  const keepMedia = Boolean(S.evening && S.evening.state !== "ended");
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
  Object.assign(S, { session: null, partner: null, queued: null, joining: false, dropped: false, early: [] });
  S.restoring = false;
  if (S.link) S.link.drop();
  for (const id of ["banner-peer", "banner-media"]) banner(id, "");
  $("ai-card").hidden = true;
  transcript.clear();
}

function endHere(reason, { summary = "", byMe = false, waitSummary = false } = {}) {
  const ctx = { partner: S.partnerName, byMe, hadPartner: S.hadPartner };
  S.endedSession = S.session ? S.session.id : null;
  teardown();
  if (evening) evening.clearQuestion();
  $("ended-title").textContent = "The conversation has ended";
  $("btn-restart").textContent = S.evening ? "Leave the evening" : "Back to start";
  say($("ended-reason"), endedText(reason, ctx));
  say($("ended-summary"), summary);
  $("ended-summary-wrap").hidden = !summary;
  $("ended-wait").hidden = !waitSummary;
  say($("ended-note"), "");
  showScreen("ended");
  if (waitSummary) setTimeout(() => ($("ended-wait").hidden = true), 25000);
}

// -- what the person does -------------------------------------------------------------------

async function enter(event) {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const profile = readForm(form);
  saveForm(form);
  S.profile = profile;
  say($("profile-notice"), "");
  audioContext(); // now, during the tap, so that the level meter may run (iOS)
  const button = $("btn-enter");
  button.disabled = true;
  button.textContent = "Starting the camera…";
  try {
    S.stream = await openCamera();
  } catch (err) {
    showProfile(err.message);
    return;
  }
  startLocal();
  Object.assign(S, { joining: true, session: null, partner: null, partnerName: "", hadPartner: false });
  S.partnerLeft = false;
  transcript.clear();
  setPhase(null);
  render();
  showScreen("call");
  if (!S.link.socket.connected) S.link.socket.connect();
  S.link.emit("join", { room: "matchmaking", profile, person: personSecret() });
  S.joinTimer = setTimeout(() => {
    if (!S.joining) return;
    teardown();
    showProfile("The host did not answer. Check that this device is on the same Wi-Fi as the host, then try again.");
  }, JOIN_TIMEOUT_MS);
}

function leaveOrEnd() {
  const session = S.session;
  if (S.queued || !session) {
    if (S.queued) S.link.emit("leave");
    teardown();
    showProfile();
    return;
  }
  S.link.emit("leave");
  if (session.status !== "active" || !S.hadPartner || S.partnerLeft) {
    S.abandoned.add(session.id);
    teardown();
    showProfile();
    return;
  }
  endHere("peer_left", { byMe: true, waitSummary: true });
}

function leaveEvening() {
  if (S.link.socket.connected) S.link.emit("leave");
  S.evening = null;
  teardown();
  showProfile();
}

function sendLine(text) {
  const line = String(text || "").trim();
  if (!line) return false;
  if (!S.session || S.session.status !== "active") {
    toast("Your partner has not joined yet.");
    return false;
  }
  S.link.emit("transcript_update", { text: line });
  return true;
}

function syncButtons() {
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

function wireControls() {
  keepForm(form);
  form.addEventListener("submit", enter);
  $("btn-end").addEventListener("click", leaveOrEnd);
  $("btn-mic").addEventListener("click", () => {
    S.micOn = !S.micOn;
    if (S.stream) for (const t of S.stream.getAudioTracks()) t.enabled = S.micOn;
    if (S.meter) S.meter.setMuted(!S.micOn);
    speech.pause(!S.micOn);
    voice.pause(!S.micOn);
    syncButtons();
  });
  $("btn-cam").addEventListener("click", () => {
    S.camOn = !S.camOn;
    if (S.stream) for (const t of S.stream.getVideoTracks()) t.enabled = S.camOn;
    syncButtons();
  });
  $("say-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (sendLine($("say").value)) $("say").value = "";
  });
  $("btn-play").addEventListener("click", () => {
    $("btn-play").hidden = true;
    $("remote-video").play().catch(() => ($("btn-play").hidden = false));
  });
  $("remote-video").addEventListener("playing", () => {
    S.remotePlaying = true;
    $("btn-play").hidden = true;
    render();
  });
  $("ai-close").addEventListener("click", () => ($("ai-card").hidden = true));
  $("btn-restart").addEventListener("click", () => {
    if (S.evening && S.evening.state !== "ended") {
      leaveEvening();
      return;
    }
    S.evening = null;
    if (!S.link.socket.connected) S.link.socket.connect();
    showProfile();
  });
  $("btn-lobby-leave").addEventListener("click", leaveEvening);
  $("problem-retry").addEventListener("click", () => location.reload());
  // a page restored after a reload has had no tap yet: the first one lets its audio run
  document.addEventListener("pointerdown", () => S.stream && audioContext(), { passive: true });

  const host = {
    active: () => Boolean(S.hostStt && S.hostStt.transcribes),
    set: (on) => {
      S.sttOff = !on;
      applySpeech();
    },
  };
  wireToggles({ speech, readAloud, stt: $("stt"), tts: $("tts"), note: $("stt-note"), micOn: () => S.micOn, host });
}

function boot() {
  const token = new URLSearchParams(location.search).get("t");
  wireControls();
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
  S.restoring = S.link.hasResume;
  const app = {
    S, endHere, problem, render, setPartner, setPhase, showProfile, signal, startCall, startLocal, teardown,
    transcript, readAloud, speechStatus, interim,
  };
  wireSocket(app);
  evening = wireEvening(app, () => sharedContact(form));
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
    banners: bannerHistory,
    get speech() {
      return {
        status: S.hostStt, speaking: voice.speaking, running: Boolean(voice.node), queued: voice.queue.length,
        ...voice.stats,
      };
    },
  });
  if (S.restoring) {
    $("screen-loading").querySelector("p").textContent = "Returning to your conversation…";
    showScreen("loading");
    setTimeout(() => {
      if (document.body.dataset.screen === "loading") showProfile(); // the host is out of reach
    }, 8000);
  } else {
    showProfile();
  }
}

boot();
