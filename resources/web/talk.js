// The transcript pane, speech to text (where the browser has it) and reading questions aloud.

import { FACILITATOR } from "./vocab.js";

/** Lines `Name: text`; the facilitator's styled apart. Text goes in with textContent only. */
export class Transcript {
  constructor(list) {
    this.list = list;
    this.pinned = true; // following the newest line (the person has not scrolled back)
    list.addEventListener(
      "scroll",
      () => (this.pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 40),
      { passive: true },
    );
    if (typeof ResizeObserver === "function") {
      // the pane shrinks when a card or a banner appears: keep the newest line in sight
      new ResizeObserver(() => this.pinned && this.toBottom()).observe(list);
    }
  }

  toBottom() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  clear() {
    this.list.replaceChildren();
    this.pinned = true;
  }

  /** entry: {speaker, name, text}; mine: whether this device's person said it. */
  add(entry, mine = false) {
    const ai = entry.speaker === FACILITATOR.speaker;
    const li = document.createElement("li");
    li.className = ai ? "line line-ai" : mine ? "line line-mine" : "line line-peer";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${entry.name || (ai ? FACILITATOR.name : entry.speaker || "?")}:`;
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = String(entry.text ?? "");
    li.append(who, " ", text);
    this.list.append(li);
    while (this.list.children.length > 500) this.list.firstElementChild.remove();
    if (this.pinned || mine) this.toBottom();
    return li;
  }

  replace(entries, myRole) {
    this.clear();
    for (const e of entries || []) this.add(e, e.speaker === myRole);
  }
}

const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;

/**
 * Browser speech recognition, continuous, final results only are sent.
 * onFinal(text); onInterim(text); onProblem(plain words) when it stops for good.
 */
export class SpeechInput {
  static get supported() {
    return typeof Recognition === "function";
  }

  constructor({ onFinal, onInterim, onProblem }) {
    this.onFinal = onFinal;
    this.onInterim = onInterim;
    this.onProblem = onProblem;
    this.wanted = false;
    this.paused = false;
    this.holds = new Set();
    this.rec = null;
    this.quickEnds = 0;
  }

  start() {
    this.wanted = true;
    this.quickEnds = 0;
    this.begin();
  }

  stop() {
    this.wanted = false;
    this.holds.clear();
    this.paused = false;
    this.end();
  }

  /** Paused while the microphone is muted. */
  pause(on) {
    this.hold("mic", on);
  }

  /** Not listening while any reason holds it (the mic is muted, a question is read aloud). */
  hold(reason, on) {
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    this.paused = this.holds.size > 0;
    if (this.paused) this.end();
    else if (this.wanted) this.begin();
  }

  begin() {
    if (!SpeechInput.supported || this.rec || !this.wanted || this.paused) return;
    const rec = new Recognition();
    rec.continuous = true;
    rec.interimResults = true;
    rec.lang = navigator.language || "en-US";
    const started = Date.now();
    rec.onresult = (event) => {
      let interim = "";
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const text = event.results[i][0].transcript.trim();
        if (event.results[i].isFinal) {
          if (text) this.onFinal(text);
        } else {
          interim += text + " ";
        }
      }
      this.onInterim(interim.trim());
    };
    rec.onerror = (event) => {
      if (event.error === "not-allowed" || event.error === "service-not-allowed") {
        this.wanted = false;
        this.onProblem("Speech to text is not allowed on this device. Type your messages instead.");
      } else if (event.error === "network") {
        this.wanted = false;
        this.onProblem("Speech to text needs the browser's speech service, which cannot be reached. Type instead.");
      }
    };
    rec.onend = () => {
      if (this.rec !== rec) return;
      this.rec = null;
      this.onInterim("");
      // browsers stop listening after a pause; start again, unless it keeps stopping at once
      this.quickEnds = Date.now() - started < 1000 ? this.quickEnds + 1 : 0;
      if (this.quickEnds >= 5) {
        this.wanted = false;
        this.onProblem("Speech to text keeps stopping on this device. Type your messages instead.");
        return;
      }
      if (this.wanted && !this.paused) setTimeout(() => this.begin(), 300);
    };
    this.rec = rec;
    try {
      rec.start();
    } catch {
      this.rec = null;
    }
  }

  end() {
    const rec = this.rec;
    this.rec = null;
    this.onInterim("");
    if (rec) {
      rec.onend = null;
      try {
        rec.abort();
      } catch {
        // not started
      }
    }
  }
}

/** Reads the facilitator's lines aloud with speechSynthesis, when switched on. */
export class ReadAloud {
  static get supported() {
    return Boolean(window.speechSynthesis) && typeof window.SpeechSynthesisUtterance === "function";
  }

  /** onSpeaking(true/false) while an utterance plays (speech to text must not hear it). */
  constructor(onSpeaking = () => {}) {
    this.on = false;
    this.onSpeaking = onSpeaking;
  }

  set(on) {
    this.on = on && ReadAloud.supported;
    if (!ReadAloud.supported) return;
    if (this.on) {
      // iOS speaks only after a first utterance started from a tap: this is that tap
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    } else {
      window.speechSynthesis.cancel();
    }
  }

  say(text) {
    if (!this.on) return;
    const u = new SpeechSynthesisUtterance(String(text));
    u.lang = navigator.language || "en-US";
    u.onstart = () => this.onSpeaking(true);
    u.onend = u.onerror = () => this.onSpeaking(window.speechSynthesis.speaking);
    window.speechSynthesis.speak(u);
  }
}

const PREFS = "heartlink.prefs";

/** The two toggles: hidden where the browser lacks the API; read-aloud remembered. */
export function wireToggles({ speech, readAloud, stt, tts, note, micOn, host }) {
  let prefs = {};
  try {
    prefs = JSON.parse(localStorage.getItem(PREFS) || "{}") || {};
  } catch {
    prefs = {};
  }
  stt.closest("label").hidden = !SpeechInput.supported;
  tts.closest("label").hidden = !ReadAloud.supported;
  stt.addEventListener("change", () => {
    if (host && host.active()) {
      host.set(stt.checked); // the host transcribes: the browser's own recognition stays off
      return;
    }
    if (stt.checked) {
      note.textContent = "Speech to text uses your browser's speech service. What it hears is sent as text.";
      note.hidden = false;
      speech.start();
      if (!micOn()) speech.pause(true);
    } else {
      note.hidden = true;
      speech.stop();
    }
  });
  tts.checked = ReadAloud.supported && prefs.readAloud === true;
  readAloud.on = tts.checked;
  tts.addEventListener("change", () => {
    readAloud.set(tts.checked);
    try {
      localStorage.setItem(PREFS, JSON.stringify({ readAloud: tts.checked }));
    } catch {
      // not kept
    }
  });
}
