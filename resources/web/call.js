// One WebRTC call with the partner: offers, answers, early ICE candidates, ICE restarts, reclaims.
//
// Every signaling step runs on one promise chain, so an offer, an answer and candidates are
// handled in the order they arrived. Role B offers first; either side answers any offer from
// its partner at any time (after a reclaim the returning side offers). On an offer collision
// the polite side (A) gives way, as in the WebRTC "perfect negotiation" pattern.

const RESTART_AFTER_DISCONNECT_MS = 4000;
const POLITE_RESTART_MS = 8000;

function fingerprint(sdp) {
  const m = /^a=fingerprint:(.+)$/m.exec(sdp || "");
  return m ? m[1].trim() : "";
}

export class Call {
  /**
   * stream: the local MediaStream (or null to only receive); polite: true for role A;
   * send(event, payload); onRemote(stream); onState(state) with "connecting", "connected",
   * "disconnected", "failed", "closed".
   */
  constructor({ stream, polite, send, onRemote, onState }) {
    this.stream = stream;
    this.polite = polite;
    this.send = send;
    this.onRemote = onRemote;
    this.onState = onState;
    this.target = null;
    this.stale = new Set();
    this.held = false;
    this.closed = false;
    this.chain = Promise.resolve();
    this.timers = new Set();
    this.pc = null;
    this.fresh();
  }

  /** A new RTCPeerConnection with the local tracks (the old one, if any, closed). */
  fresh() {
    if (this.pc) this.dispose(this.pc);
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    this.pending = []; // remote candidates that came before the remote description
    this.outgoing = []; // local candidates found before the partner's id was known
    if (this.stream) {
      for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
    } else {
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.ontrack = (event) => {
      if (pc !== this.pc) return;
      this.onRemote(event.streams[0] || new MediaStream([event.track]));
    };
    pc.onicecandidate = (event) => {
      if (pc !== this.pc || !event.candidate) return;
      const candidate = event.candidate.toJSON();
      if (this.target && !this.held) this.send("ice_candidate", { target: this.target, candidate });
      else this.outgoing.push(candidate);
    };
    pc.onconnectionstatechange = () => this.changed(pc);
    pc.oniceconnectionstatechange = () => this.changed(pc);
    return pc;
  }

  dispose(pc) {
    pc.ontrack = pc.onicecandidate = pc.onconnectionstatechange = pc.oniceconnectionstatechange = null;
    try {
      pc.close();
    } catch {
      // already closed
    }
  }

  get state() {
    const pc = this.pc;
    if (!pc) return "closed";
    if (pc.connectionState) return pc.connectionState;
    const ice = pc.iceConnectionState; // older Safari has no connectionState
    return { checking: "connecting", completed: "connected" }[ice] || ice;
  }

  changed(pc) {
    if (pc !== this.pc || this.closed) return;
    const state = this.state;
    this.onState(state);
    if (state === "connected") {
      this.clearTimers();
    } else if (state === "disconnected") {
      this.later(RESTART_AFTER_DISCONNECT_MS, () => {
        if (this.state === "disconnected") this.restart();
      });
    } else if (state === "failed") {
      if (!this.polite) this.restart();
      else this.later(POLITE_RESTART_MS, () => this.state === "failed" && this.restart());
    }
  }

  later(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  run(step) {
    this.chain = this.chain.then(() => (this.closed ? null : step())).catch((err) => {
      console.warn("call:", err);
    });
    return this.chain;
  }

  /** The partner's current socket id; an older one becomes stale and is ignored from now on. */
  setTarget(id) {
    if (!id) return;
    if (this.target && this.target !== id) this.stale.add(this.target);
    this.stale.delete(id);
    this.target = id;
    this.flushOutgoing();
  }

  /** While the partner is reconnecting nothing is sent: its old id is gone. */
  hold(on) {
    this.held = on;
    if (!on) this.flushOutgoing();
  }

  /**
   * The partner came back on a new socket: it will offer, so an offer of ours still waiting
   * for an answer (it went to the old socket and was dropped) is taken back.
   */
  partnerBack(id) {
    this.setTarget(id);
    this.held = false;
    this.run(async () => {
      if (this.pc.signalingState === "have-local-offer") await this.pc.setLocalDescription({ type: "rollback" });
    });
    this.flushOutgoing();
  }

  flushOutgoing() {
    if (!this.target || this.held) return;
    const list = this.outgoing;
    this.outgoing = [];
    for (const candidate of list) this.send("ice_candidate", { target: this.target, candidate });
  }

  /** Whether a message from `sender` is for this call (a sender we never saw is the partner's new socket). */
  accept(sender) {
    if (!sender || this.stale.has(sender)) return false;
    if (sender !== this.target) this.setTarget(sender);
    return true;
  }

  offer({ iceRestart = false } = {}) {
    return this.run(async () => {
      if (!this.target || this.held) return;
      const pc = this.pc;
      if (pc.signalingState === "have-local-offer") await pc.setLocalDescription({ type: "rollback" });
      if (pc.signalingState !== "stable") return;
      const offer = await pc.createOffer({ iceRestart });
      if (pc !== this.pc || pc.signalingState !== "stable") return;
      await pc.setLocalDescription(offer);
      const d = pc.localDescription;
      this.send("offer", { target: this.target, offer: { type: d.type, sdp: d.sdp } });
    });
  }

  /** After a failure: a fresh ICE negotiation (a new connection if this one is closed). */
  restart() {
    if (this.closed) return;
    if (this.pc.signalingState === "closed") this.fresh();
    this.onState("restarting");
    if (typeof this.pc.restartIce === "function") this.pc.restartIce();
    this.offer({ iceRestart: true });
  }

  /** After this page reclaimed its slot: offer again, on a new connection if the old one is dead. */
  renegotiate() {
    if (this.closed) return;
    const state = this.state;
    if (state === "failed" || state === "closed" || this.pc.signalingState === "closed") this.fresh();
    this.offer({ iceRestart: true });
  }

  handleOffer(offer, sender) {
    return this.run(async () => {
      if (!this.accept(sender)) return;
      let pc = this.pc;
      const remote = pc.remoteDescription;
      if (pc.signalingState === "closed" || (remote && fingerprint(remote.sdp) !== fingerprint(offer.sdp))) {
        pc = this.fresh(); // the partner started over with a new connection (e.g. after a reload)
      }
      if (pc.signalingState !== "stable") {
        if (!this.polite) return; // collision: the impolite side keeps its own offer
        await pc.setLocalDescription({ type: "rollback" });
      }
      await pc.setRemoteDescription(offer);
      await this.flushPending(pc);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      const d = pc.localDescription;
      if (!this.held) this.send("answer", { target: this.target, answer: { type: d.type, sdp: d.sdp } });
    });
  }

  handleAnswer(answer, sender) {
    return this.run(async () => {
      if (!this.accept(sender)) return;
      const pc = this.pc;
      if (pc.signalingState !== "have-local-offer") return; // late or duplicate
      await pc.setRemoteDescription(answer);
      await this.flushPending(pc);
    });
  }

  handleCandidate(candidate, sender) {
    return this.run(async () => {
      if (!candidate || !this.accept(sender)) return;
      if (!this.pc.remoteDescription) {
        this.pending.push(candidate);
        return;
      }
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (err) {
        console.debug("candidate refused:", err); // a candidate of an older ICE generation
      }
    });
  }

  async flushPending(pc) {
    const list = this.pending;
    this.pending = [];
    for (const candidate of list) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (err) {
        console.debug("early candidate refused:", err);
      }
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    if (this.pc) this.dispose(this.pc);
    this.onState("closed");
  }
}
