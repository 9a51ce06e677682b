// The AudioWorklet that turns the microphone into 16 kHz mono 16-bit PCM frames of 20 ms.
// Loaded with audioWorklet.addModule("/static/speech-worklet.js") (same origin: the CSP allows
// scripts from 'self' only). Each frame goes to the page with its loudness (RMS, 0..1).

const RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz

class HeartLinkPcm extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / RATE; // input samples per output sample
    this.pos = 0; // where the next output sample falls, in input samples from `prev`
    this.prev = 0; // the last input sample of the previous block
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.sum = 0;
    this.acc = 0; // a one-pole low-pass before decimation, so high tones do not fold down
    this.alpha = Math.min(1, (2 * Math.PI * 7000) / sampleRate);
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) return true;
    const n = input[0].length;
    const mono = new Float32Array(n);
    for (const channel of input) for (let i = 0; i < n; i++) mono[i] += channel[i] / input.length;
    for (let i = 0; i < n; i++) {
      this.acc += this.alpha * (mono[i] - this.acc);
      mono[i] = this.acc;
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
