// Camera and microphone: what the browser allows, plain-words failures, and a speech level meter.

/** Why this browser or page cannot make a call, or null when it can. */
export function mediaProblem() {
  if (!window.isSecureContext) {
    return {
      text: "This page was not opened over a secure connection, so the browser will not let it use the camera or microphone.",
      steps: [
        "Open the link from the host's QR code: it starts with https://.",
        "If the browser warns about the certificate, choose to continue to the site (Advanced, then Proceed).",
        "Or install the host's certificate on this device once, then open the link again.",
      ],
      ca: true,
    };
  }
  if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
    return {
      text: "This browser does not give this page access to the camera or microphone.",
      steps: [
        "On iPhone or iPad, open the link in Safari; on Android, in Chrome.",
        "If you opened the link from another app, open it in the browser itself.",
        "If the browser warned about the certificate, install the host's certificate on this device, then open the link again.",
      ],
      ca: true,
    };
  }
  if (typeof window.RTCPeerConnection !== "function") {
    // e.g. a browser built without WebRTC (Debian's WebKitGTK, GNOME Web) or with it turned off
    return {
      text: "This browser cannot make video calls.",
      steps: [
        "Open the same link in another browser: Safari on iPhone or iPad; Chrome or Firefox on Android; Chrome, Firefox, Edge or Safari on a computer.",
        "If video calls were turned off in this browser's settings, turn them on again.",
      ],
      ca: false,
    };
  }
  return null;
}

function explain(err) {
  switch (err && err.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Camera and microphone are blocked for this page. Allow them in the browser's site settings (the icon next to the address), then press Enter HeartLink again.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No camera or microphone was found on this device.";
    case "NotReadableError":
    case "AbortError":
      return "The camera or microphone is in use by another app. Close that app, then try again.";
    default:
      return `The camera could not be started (${(err && err.name) || "unknown error"}). Try again.`;
  }
}

/** Camera and microphone; audio alone when there is no camera. Throws Error with plain words. */
export async function openCamera() {
  const want = {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
  };
  try {
    return await navigator.mediaDevices.getUserMedia(want);
  } catch (err) {
    if (["NotFoundError", "OverconstrainedError", "NotReadableError"].includes(err && err.name)) {
      try {
        return await navigator.mediaDevices.getUserMedia({ audio: want.audio });
      } catch {
        // fall through to the first error, which names the camera
      }
    }
    throw new Error(explain(err));
  }
}

export function stopStream(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

let shared = null;

/**
 * The page's one AudioContext. Call it during a tap: iOS lets an AudioContext run only when it
 * was made or resumed from a user gesture.
 */
export function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  try {
    if (!shared) shared = new Ctx();
    if (shared.state === "suspended") shared.resume().catch(() => {});
  } catch {
    return null;
  }
  return shared;
}

const SPEAKING_RMS = 0.02; // about -34 dBFS
const START_MS = 200; // this long above the level: speaking
const STOP_MS = 1500; // this long below it: not speaking any more

/** A Web Audio level meter on the local microphone; reports speaking on/off changes. */
export class LevelMeter {
  constructor(stream, { onLevel, onSpeaking }) {
    this.onLevel = onLevel;
    this.onSpeaking = onSpeaking;
    this.speaking = false;
    this.muted = false;
    this.loudSince = null;
    this.quietSince = null;
    this.timer = null;
    this.ctx = audioContext();
    if (!this.ctx || !stream || !stream.getAudioTracks().length) return;
    try {
      this.source = this.ctx.createMediaStreamSource(stream);
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 1024;
      this.source.connect(this.analyser);
      this.buffer = new Float32Array(this.analyser.fftSize);
      // a timer, not requestAnimationFrame: it keeps running when the tab is in the background
      this.timer = setInterval(() => this.tick(), 100);
    } catch {
      this.source = null;
    }
  }

  tick() {
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    const rms = this.muted ? 0 : Math.sqrt(sum / this.buffer.length);
    this.onLevel(Math.min(1, rms * 8));
    const now = Date.now();
    if (rms >= SPEAKING_RMS) {
      this.quietSince = null;
      if (this.loudSince === null) this.loudSince = now;
      if (!this.speaking && now - this.loudSince >= START_MS) this.set(true);
    } else {
      this.loudSince = null;
      if (this.quietSince === null) this.quietSince = now;
      if (this.speaking && now - this.quietSince >= STOP_MS) this.set(false);
    }
  }

  set(speaking) {
    this.speaking = speaking;
    this.onSpeaking(speaking);
  }

  setMuted(muted) {
    this.muted = muted;
    if (muted && this.speaking) this.set(false);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.source) this.source.disconnect(); // the context stays, for the next call
    this.source = null;
    this.onLevel(0);
  }
}
