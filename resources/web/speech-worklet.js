// The AudioWorklet that turns the microphone into 16 kHz mono 16-bit PCM frames of 20 ms.
// Loaded with audioWorklet.addModule("/static/speech-worklet.js") (same origin: the CSP allows
// scripts from 'self' only). Each frame goes to the page with its loudness (RMS, 0..1).

const RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz
const TAPS = 63; // the anti-aliasing low-pass, a windowed sinc
const CUTOFF = 7200; // Hz: below the 8 kHz a 16 kHz signal can carry

/** Blackman-windowed sinc low-pass taps for `rate`, normalised to unit gain. */
function lowPass(rate) {
  const fc = Math.min(CUTOFF, rate / 2) / rate;
  const taps = new Float32Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    taps[i] = sinc * w;
    sum += taps[i];
  }
  for (let i = 0; i < TAPS; i++) taps[i] /= sum;
  return taps;
}

class HeartLinkPcm extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / RATE; // input samples per output sample
    this.pos = 0; // where the next output sample falls, in input samples from `prev`
    this.prev = 0; // the last input sample of the previous block
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.sum = 0;
    // the low-pass before decimation, so sound above 8 kHz does not fold down into speech
    this.taps = sampleRate > RATE ? lowPass(sampleRate) : null;
    this.hist = new Float32Array(TAPS); // the last TAPS input samples, a ring
    this.at = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) return true;
    const n = input[0].length;
    const mono = new Float32Array(n);
    for (const channel of input) for (let i = 0; i < n; i++) mono[i] += channel[i] / input.length;
    if (this.taps) {
      const { taps, hist } = this;
      for (let i = 0; i < n; i++) {
        hist[this.at] = mono[i];
        this.at = (this.at + 1) % TAPS;
        let acc = 0;
        for (let k = 0, j = this.at; k < TAPS; k++, j = (j + 1) % TAPS) acc += taps[k] * hist[j];
        mono[i] = acc;
      }
    }
    // linear interpolation between input samples at the 16 kHz output times
    while (this.pos < n) {
      const i = Math.floor(this.pos);
      const frac = this.pos - i;
      const a = i === 0 ? this.prev : mono[i - 1];
      const b = mono[i];
      const v = a + (b - a) * frac;
      this.push(v);
      this.pos += this.step;
    }
    this.pos -= n;
    this.prev = mono[n - 1];
    return true;
  }

  push(v) {
    const s = Math.max(-1, Math.min(1, v));
    this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    this.sum += s * s;
    if (this.filled === FRAME) {
      const rms = Math.sqrt(this.sum / FRAME);
      const buf = this.frame.buffer;
      this.port.postMessage({ pcm: buf, rms }, [buf]);
      this.frame = new Int16Array(FRAME);
      this.filled = 0;
      this.sum = 0;
    }
  }
}

registerProcessor("heartlink-pcm", HeartLinkPcm);
