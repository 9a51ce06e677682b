// Speech to text on the host: the microphone as 16 kHz PCM, sent while its person speaks.
//
// An AudioWorklet (speech-worklet.js) makes 20 ms frames; a level gate with a short hangover
// decides when the person speaks; frames from 300 ms before that (the pre-roll, so the first
// word is whole) to the end of the hangover go to the host as binary `audio` events of
// 200 ms, then `audio_end`. Muted, or held (a question read aloud), nothing is sent. Each
// send asks the host to acknowledge it (Socket.IO's public acknowledgements, with a timeout);
// while UNACKED_MAX are not acknowledged (the network or the host is behind), audio waits
// here, and the oldest is dropped: at most 2 s wait.
// The worklet runs only while the page's AudioContext runs: a browser with no audio output
// (Firefox on a machine without one) or a phone that blocks the page's sound leaves it
// suspended, and then the page says that speech to text is not running instead of claiming it.

const FRAME_MS = 20;
const CHUNK_FRAMES = 10; // 200 ms, 6400 bytes: 256 kbit/s while speaking, nothing otherwise
const PREROLL_FRAMES = 15; // 300 ms
const START_FRAMES = 3; // 60 ms above the level: speech
const HANGOVER_FRAMES = 35; // 700 ms below it: the utterance is over
const MAX_FRAMES = 750; // 15 s: ended here, the next begins
const MIN_RMS = 0.012; // about -38 dBFS
const QUEUE_MAX = 10; // chunks (2 s) waiting for the socket; older ones are dropped
const UNACKED_MAX = 8; // sends the host has not acknowledged yet (1.6 s of audio): send no more
const ACK_WAIT_MS = 10000; // an acknowledgement not back by then counts as lost
const SOUND_WAIT_MS = 3000; // the audio context's time to start before the page says it did not

/** The words when the browser does not let the page's sound run, so nothing is captured. */
export const NO_SOUND =
  "Speech to text is not running: this browser has not let the page start its sound, so nothing you say is sent. "
  + "Type your messages instead. On a phone, allow sound for this page and tap the screen: speech to text then starts by itself.";

/** The words when the browser has no AudioWorklet: what works instead. */
export const NO_WORKLET =
  "This browser cannot send your voice to the host for speech to text. Type your messages instead, "
  + "or open the link in a current Safari (iPhone, iPad), Chrome or Firefox to talk.";

export class HostSpeech {
  static get supported() {
    return typeof window.AudioWorkletNode === "function";
  }

  /**
   * socket(): the Socket.IO client; canSend(): in an active conversation; onProblem(plain
   * words); onSound(runs): the audio context stopped or started running while capturing.
   */
  constructor({ socket, canSend, onProblem, onSound }) {
    this.socket = socket;
    this.canSend = canSend;
    this.onProblem = onProblem;
    this.onSound = onSound;
    this.ctx = null;
    this.blocked = false; // capturing, but the audio context has not run for SOUND_WAIT_MS
    this.soundTimer = null;
    this.wanted = false;
    this.holds = new Set();
    this.node = null;
    this.source = null;
    this.stream = null;
    this.reset();
    this.queue = [];
    this.unacked = 0;
    this.stats = { chunks: 0, ends: 0, dropped: 0, bytes: 0 };
  }

  reset() {
    this.preroll = [];
    this.pending = [];
    this.speaking = false;
    this.loud = 0;
    this.quiet = 0;
    this.frames = 0;
    this.floor = MIN_RMS / 3;
  }

  get paused() {
    return this.holds.size > 0;
  }

  /** Capturing, and the audio context runs (frames come). */
  get running() {
    return Boolean(this.node && this.ctx && this.ctx.state === "running");
  }

  /** Start capturing `stream` (once the host said it transcribes and the person wants it). */
  async start(ctx, stream) {
    this.wanted = true;
    if (this.node || !stream || !stream.getAudioTracks().length) return;
    if (!ctx || !HostSpeech.supported) {
      this.onProblem(NO_WORKLET);
      return;
    }
    this.stream = stream;
    try {
      if (!ctx.__heartlinkPcm) ctx.__heartlinkPcm = ctx.audioWorklet.addModule("/static/speech-worklet.js");
      await ctx.__heartlinkPcm;
    } catch {
      this.onProblem("Speech to text could not start in this browser. Type your messages instead.");
      return;
    }
    if (!this.wanted || this.stream !== stream || this.node) return;
    this.source = ctx.createMediaStreamSource(stream);
    this.node = new AudioWorkletNode(ctx, "heartlink-pcm", { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    this.node.port.onmessage = (event) => this.frame(event.data);
    this.sink = ctx.createGain();
    this.sink.gain.value = 0; // the worklet runs only when pulled: into a silent output
    this.source.connect(this.node).connect(this.sink).connect(ctx.destination);
    this.watch(ctx);
  }

  /** Follow the audio context: not running SOUND_WAIT_MS after capture began, or after it
   * stopped, is reported once; running again is reported too. */
  watch(ctx) {
    if (this.ctx !== ctx) {
      this.ctx = ctx;
      ctx.addEventListener("statechange", () => this.soundChanged());
    }
    this.soundChanged();
  }

  soundChanged() {
    clearTimeout(this.soundTimer);
    this.soundTimer = null;
    if (!this.node) return;
    if (this.running) {
      if (this.blocked) {
        this.blocked = false;
        this.onSound(true);
      }
    } else if (!this.blocked) {
      this.soundTimer = setTimeout(() => {
        this.soundTimer = null;
        if (!this.node || this.running || this.blocked) return;
        this.blocked = true;
        this.onSound(false);
      }, SOUND_WAIT_MS);
    }
  }

  stop() {
    this.wanted = false;
    this.finish();
    if (this.source) this.source.disconnect();
    if (this.node) {
      this.node.port.onmessage = null;
      this.node.disconnect();
    }
    if (this.sink) this.sink.disconnect();
    this.source = this.node = this.sink = this.stream = null;
    this.queue = [];
    clearTimeout(this.soundTimer);
    this.soundTimer = null;
    this.blocked = false;
  }

  /** Muted: nothing is sent; an utterance going on ends here. */
  pause(on) {
    this.hold("mic", on);
  }

  hold(reason, on) {
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    if (this.paused) this.finish();
  }

  frame({ pcm, rms }) {
    if (!this.wanted || this.paused || !this.canSend()) {
      if (this.speaking) this.finish();
      this.preroll = [];
      return;
    }
    // the level gate: above a slowly learned noise floor, and above an absolute minimum
    const level = Math.max(MIN_RMS, this.floor * 3);
    const loud = rms >= level;
    if (!this.speaking) this.floor = this.floor * 0.98 + Math.min(rms, MIN_RMS) * 0.02;
    if (!this.speaking) {
      this.preroll.push(pcm);
      if (this.preroll.length > PREROLL_FRAMES) this.preroll.shift();
      this.loud = loud ? this.loud + 1 : 0;
      if (this.loud >= START_FRAMES) {
        this.speaking = true;
        this.quiet = 0;
        this.frames = 0;
        for (const f of this.preroll) this.add(f);
        this.preroll = [];
      }
      return;
    }
    this.add(pcm);
    this.quiet = loud ? 0 : this.quiet + 1;
    if (this.quiet >= HANGOVER_FRAMES || this.frames >= MAX_FRAMES) this.finish();
  }

  add(pcm) {
    this.pending.push(pcm);
    this.frames++;
    if (this.pending.length >= CHUNK_FRAMES) this.flushChunk();
  }

  flushChunk() {
    if (!this.pending.length) return;
    const size = this.pending.reduce((n, f) => n + f.byteLength, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const f of this.pending) {
      out.set(new Uint8Array(f), at);
      at += f.byteLength;
    }
    this.pending = [];
    this.enqueue(["audio", out.buffer]);
  }

  /** The end of an utterance: what is left, then the mark. */
  finish() {
    if (!this.speaking) return;
    this.flushChunk();
    this.enqueue(["audio_end", {}]);
    this.reset();
  }

  enqueue(item) {
    this.queue.push(item);
    let audio = this.queue.filter(([event]) => event === "audio").length;
    while (audio > QUEUE_MAX) {
      const i = this.queue.findIndex(([event]) => event === "audio");
      this.queue.splice(i, 1);
      this.stats.dropped++;
      audio--;
    }
    while (this.queue.length > QUEUE_MAX + 2) this.queue.shift(); // old end marks (the host ends those by itself)
    this.drain();
  }

  drain() {
    const socket = this.socket();
    while (this.queue.length && socket.connected && this.unacked < UNACKED_MAX) {
      const [event, data] = this.queue.shift();
      this.unacked++;
      // called once: with the host's acknowledgement, or an error (timeout, disconnection)
      socket.timeout(ACK_WAIT_MS).emit(event, data, () => {
        this.unacked--;
        this.drain();
      });
      if (event === "audio") {
        this.stats.chunks++;
        this.stats.bytes += data.byteLength;
      } else {
        this.stats.ends++;
      }
    }
  }
}

/** The line under the toggle: where the voice goes. */
export function speechNote(status) {
  if (status && status.remote) {
    return "Speech to text: your voice goes to the host computer in this room, which passes it to the speech service its owner set up. What it hears is shown as text.";
  }
  return "Speech to text: your voice goes to the host computer in this room and nowhere else. What it hears is shown as text.";
}

export { FRAME_MS };
