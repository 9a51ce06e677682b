// The Socket.IO connection to the host, and the resume secret that lets it reclaim a slot.

import { io } from "/vendor/socket.io.esm.min.js";

const KEY = "heartlink.resume";
const DEVICE_KEY = "heartlink.device";

/** 32 URL-safe characters from 24 random bytes. */
function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * This device's own secret, made once and kept in localStorage: the host recognises by it
 * someone it removed, or two who must never meet again, across new sockets. Without storage
 * it lasts as long as the page.
 */
function deviceSecret() {
  try {
    const kept = localStorage.getItem(DEVICE_KEY);
    if (kept && /^[\w-]{24,}$/.test(kept)) return kept;
    const made = newSecret();
    localStorage.setItem(DEVICE_KEY, made);
    return made;
  } catch {
    return newSecret();
  }
}

function stored() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return value && typeof value.resume === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * socket.auth always holds {token} or {token, resume} with the newest secret, so the
 * client's own automatic reconnection presents it.
 */
export class Link {
  constructor(token) {
    this.token = token;
    this.device = deviceSecret();
    this.saved = stored(); // {session_id, resume} from before a reload, or null
    // The default transports on purpose: HTTPS long-polling first, then the upgrade to a
    // websocket. iOS Safari may refuse `wss://` to the host's self-signed certificate even
    // after the person accepted the page's warning; the connection then stays on polling.
    this.socket = io({
      auth: this.auth(),
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 10000,
    });
    // the socket went away by itself (not closed by this page) and has not connected since
    this.lost = false;
    this.socket.on("disconnect", (reason) => {
      if (reason !== "io client disconnect") this.lost = true;
    });
  }

  /** On connect: whether this connection follows a lost one (and forget that it was lost). */
  takeLost() {
    const lost = this.lost;
    this.lost = false;
    return lost;
  }

  auth() {
    return this.saved ? { token: this.token, resume: this.saved.resume } : { token: this.token };
  }

  get hasResume() {
    return this.saved !== null;
  }

  /** Keep the newest secret of this session (sessionStorage: this tab only). */
  keep(sessionId, resume) {
    this.saved = { session_id: sessionId, resume };
    try {
      sessionStorage.setItem(KEY, JSON.stringify(this.saved));
    } catch {
      // without storage a reload cannot reclaim, but a reconnect still can
    }
    this.socket.auth = this.auth();
  }

  /** Forget the secret: the session is over, or the host refused it. */
  drop() {
    this.saved = null;
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
    this.socket.auth = this.auth();
  }

  /** `join` with the profile, this device's secret and, in an evening, the person's secret. */
  join(profile, person) {
    const payload = { room: "matchmaking", profile, device: this.device };
    if (person) payload.person = person;
    this.socket.emit("join", payload);
  }

  emit(event, payload) {
    this.socket.emit(event, payload);
  }

  on(event, handler) {
    this.socket.on(event, handler);
  }
}
