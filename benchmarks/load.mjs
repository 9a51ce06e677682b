// The load for the benchmarks: socket.io-client 4 peers over TLS on loopback, driven by one
// JSON argument; prints progress lines and one "RESULT {json}" line. Used by relay.py,
// long.py and scale.py (never on its own). Modes:
//   relay: pairs join; a flood of ICE candidates both ways; then a paced 10/s per pair
//   long:  one pair; batches of 100 lines, each line after two audio_activity toggles
//   scale: pairs join one after another; then every pair talks (a line and two toggles
//          each `line_every` seconds) for `talk_seconds`
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";

const cfg = JSON.parse(process.argv[2]);
const ca = readFileSync(cfg.ca);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pct(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const stats = (v) => ({ n: v.length, p50: pct(v, 50), p99: pct(v, 99), max: pct(v, 100) });

function once(socket, event, timeout = 30000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} in ${timeout} ms`)), timeout);
    socket.once(event, (data) => { clearTimeout(t); resolve(data); });
  });
}

async function peer() {
  const socket = io(cfg.url, {
    ca, auth: { token: cfg.token }, transports: ["websocket"], reconnection: false,
    forceNew: true, timeout: 30000,
  });
  await once(socket, "connect");
  return socket;
}

async function join(socket, name) {
  const t = now();
  socket.emit("join", { room: "matchmaking", profile: { name } });
  const info = await once(socket, "session_info");
  return { info, ms: now() - t };
}

async function pair(i) {
  const [a, b] = [await peer(), await peer()];
  const ja = await join(a, `A${i}`);
  const joined = once(a, "user_joined");
  const jb = await join(b, `B${i}`);
  await joined;
  a.partner = b.id; // the Socket.IO id: what `target` names
  b.partner = a.id;
  return { a, b, joins: [ja.ms, jb.ms] };
}

async function relay() {
  const pairs = [];
  const joins = [];
  for (let i = 0; i < cfg.pairs; i++) {
    const p = await pair(i);
    pairs.push(p);
    joins.push(...p.joins);
  }
  // flood: every peer sends `flood` candidates to its partner at once
  const total = pairs.length * 2 * cfg.flood;
  let got = 0;
  const flooded = new Promise((resolve) => {
    for (const { a, b } of pairs) for (const s of [a, b]) {
      s.on("ice_candidate", () => { if (++got === total) resolve(); });
    }
  });
  const t0 = now();
  for (let k = 0; k < cfg.flood; k++) {
    for (const { a, b } of pairs) {
      const c = { candidate: `candidate:${k} 1 udp 1 127.0.0.1 ${1024 + k} typ host`, sdpMid: "0" };
      a.emit("ice_candidate", { target: a.partner, candidate: c });
      b.emit("ice_candidate", { target: b.partner, candidate: c });
    }
  }
  await flooded;
  const floodSeconds = (now() - t0) / 1000;
  for (const { a, b } of pairs) for (const s of [a, b]) s.off("ice_candidate");
  // paced: 10 a second per pair (A to B), each stamped with its send time
  const lat = [];
  for (const { b } of pairs) b.on("ice_candidate", (m) => lat.push(now() - m.candidate.t));
  const timers = pairs.map(({ a }, i) => {
    let k = 0;
    const send = () => a.emit("ice_candidate", { target: a.partner, candidate: { candidate: `p${k++}`, t: now() } });
    return setTimeout(() => { send(); timers[i] = setInterval(send, 100); }, (100 * i) / pairs.length);
  });
  await sleep(cfg.paced_seconds * 1000);
  for (const t of timers) { clearTimeout(t); clearInterval(t); }
  await sleep(300);
  for (const { a, b } of pairs) { a.close(); b.close(); }
  return { joins: stats(joins), relays_per_s: total / floodSeconds, flood: total, paced: stats(lat) };
}

async function long() {
  const { a, b } = await pair(0);
  let heard = 0;
  let waiter = null;
  b.on("transcript_update", (m) => {
    if (m.speaker === "A") heard++;
    if (waiter && heard >= waiter.n) { const w = waiter; waiter = null; w.resolve(); }
  });
  const until = (n) => new Promise((resolve) => { if (heard >= n) resolve(); else waiter = { n, resolve }; });
  const batches = [];
  for (let start = 0; start < cfg.lines; start += 100) {
    const t = now();
    for (let k = start; k < start + 100; k++) {
      a.emit("audio_activity", { speaking: true });
      a.emit("audio_activity", { speaking: false });
      a.emit("transcript_update", { text: `line ${k}: a sentence of an ordinary length, about this long.` });
    }
    await until(start + 100);
    batches.push({ at: start, ms_per_line: (now() - t) / 100 });
    if (start % 1000 === 0) console.log(`batch at ${start}: ${((now() - t) / 100).toFixed(2)} ms/line`);
  }
  a.close(); b.close();
  return { batches };
}

async function scale() {
  const pairs = [];
  const joins = [];
  const t0 = now();
  for (let i = 0; i < cfg.pairs; i++) {
    const p = await pair(i);
    pairs.push(p);
    joins.push({ live: i, ms: p.joins[1] }, { live: i, ms: p.joins[0] });
    if ((i + 1) % 100 === 0) console.log(`joined ${i + 1} pairs`);
  }
  const joinSeconds = (now() - t0) / 1000;
  const lat = [];
  for (const { b } of pairs) b.on("transcript_update", (m) => { if (m.speaker === "A") lat.push(Date.now() - Number(m.text.split(" ")[1])); });
  console.log("TALK_START");
  const timers = pairs.map(({ a }, i) => {
    const say = () => {
      a.emit("audio_activity", { speaking: true });
      a.emit("audio_activity", { speaking: false });
      a.emit("transcript_update", { text: `at ${Date.now()} from pair ${i}` });
    };
    return setTimeout(() => { say(); timers[i] = setInterval(say, cfg.line_every * 1000); }, (cfg.line_every * 1000 * i) / pairs.length);
  });
  await sleep(cfg.talk_seconds * 1000);
  for (const t of timers) { clearTimeout(t); clearInterval(t); }
  console.log("TALK_END");
  await sleep(500);
  const busy = joins.filter((j) => j.live >= 50 && j.live < 60).map((j) => j.ms);
  for (const { a, b } of pairs) { a.close(); b.close(); }
  return {
    join_seconds: joinSeconds, joins: stats(joins.map((j) => j.ms)), joins_at_50_live: stats(busy),
    joins_at_450_live: stats(joins.filter((j) => j.live >= 450).map((j) => j.ms)),
    lines: stats(lat),
  };
}

const run = { relay, long, scale }[cfg.mode];
run().then((r) => { console.log("RESULT " + JSON.stringify(r)); process.exit(0); })
  .catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
