// What the person does: enter, leave or end, the call's buttons, the ended and lobby screens.

import {
  applySpeech, endHere, readAloud, sendLine, speech, startLocal, teardown, transcript, voice,
} from "./conversation.js";
import { personSecret } from "./evening.js";
import { audioContext, openCamera, stopStream } from "./media.js";
import { keepForm, readForm, saveForm } from "./profile.js";
import { PAGE, S, go, inConversation, is } from "./state.js";
import { wireToggles } from "./talk.js";
import { $, say } from "./ui.js";
import { render, setPhase, showProfile, syncButtons } from "./view.js";
import { END, EVENING } from "./vocab.js";

const JOIN_TIMEOUT_MS = 15000; // no answer to `join`: say so instead of waiting forever

/** Enter HeartLink: the camera first, then `join`. */
async function enter(form, event) {
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
  let stream;
  try {
    stream = await openCamera();
  } catch (err) {
    showProfile(err.message);
    return;
  }
  if (!is(PAGE.PROFILE)) {
    stopStream(stream); // the page moved on while the camera started (a refused link)
    return;
  }
  S.stream = stream;
  startLocal();
  Object.assign(S, { session: null, partner: null, partnerName: "" });
  transcript.clear();
  setPhase(null);
  go(PAGE.JOINING);
  render();
  if (!S.link.socket.connected) S.link.socket.connect();
  S.link.join(profile, personSecret());
  S.joinTimer = setTimeout(() => {
    if (!is(PAGE.JOINING)) return;
    teardown();
    showProfile("The host did not answer. Check that this device is on the same Wi-Fi as the host, then try again.");
  }, JOIN_TIMEOUT_MS);
}

/** End call, Leave, or Leave the line: one button, by state. */
function leaveOrEnd() {
  if (!inConversation()) {
    if (is(PAGE.QUEUED)) S.link.emit("leave");
    teardown();
    showProfile();
    return;
  }
  S.link.emit("leave");
  if (!is(PAGE.ACTIVE)) {
    S.abandoned.add(S.session.id); // nobody to tell: its end is not news
    teardown();
    showProfile();
    return;
  }
  endHere(END.PEER_LEFT, { byMe: true, waitSummary: true });
}

function leaveEvening() {
  if (S.link.socket.connected) S.link.emit("leave");
  S.evening = null;
  teardown();
  showProfile();
}

function toggleMic() {
  S.micOn = !S.micOn;
  if (S.stream) for (const t of S.stream.getAudioTracks()) t.enabled = S.micOn;
  if (S.meter) S.meter.setMuted(!S.micOn);
  speech.pause(!S.micOn);
  voice.pause(!S.micOn);
  syncButtons();
}

function toggleCamera() {
  S.camOn = !S.camOn;
  if (S.stream) for (const t of S.stream.getVideoTracks()) t.enabled = S.camOn;
  syncButtons();
}

/** Back to start from the ended screen (or out of the evening, while it goes on). */
function restart() {
  if (S.evening && S.evening.state !== EVENING.OVER) {
    leaveEvening();
    return;
  }
  S.evening = null;
  if (!S.link.socket.connected) S.link.socket.connect();
  showProfile();
}

export function wireControls(form) {
  keepForm(form);
  form.addEventListener("submit", (event) => enter(form, event));
  $("btn-end").addEventListener("click", leaveOrEnd);
  $("btn-mic").addEventListener("click", toggleMic);
  $("btn-cam").addEventListener("click", toggleCamera);
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
  $("btn-restart").addEventListener("click", restart);
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
