// The host's events, and what each one changes on the page.

import { openCamera, stopStream } from "./media.js";
import { $, banner, currentScreen, say, showScreen, toast } from "./ui.js";

const RESUME_TIMEOUT_MS = 8000; // back online, but the host did not give the slot back
const RESTORE_TIMEOUT_MS = 5000; // after a reload with a stored secret

/** Listen to the host. `app` holds the page's state `S` and the functions that change it. */
export function wireSocket(app) {
  const { S } = app;
  const socket = S.link.socket;
  const mine = (id) => S.session && id === S.session.id;

  // -- the connection ----------------------------------------------------------------------
  socket.on("connect", () => {
    banner("banner-connection", "");
    if (S.restoring) {
      clearTimeout(S.resumeTimer);
      S.resumeTimer = setTimeout(() => {
        if (!S.restoring) return;
        S.restoring = false;
        S.link.drop();
        app.showProfile();
      }, RESTORE_TIMEOUT_MS);
    }
    if (!S.dropped) return;
    S.dropped = false;
    if (S.queued && S.profile) {
      // a place in line belongs to a connection: stand in line again
      S.joining = true;
      S.link.emit("join", { room: "matchmaking", profile: S.profile });
      toast("The connection was lost for a moment; you are back in line.");
    } else if (S.session) {
      if (!S.link.hasResume) {
        app.endHere("connection_lost");
        return;
      }
      clearTimeout(S.resumeTimer);
      S.resumeTimer = setTimeout(() => {
        if (S.session && !S.dropped) app.endHere("connection_lost");
      }, RESUME_TIMEOUT_MS);
    }
  });

  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return;
    if (S.session || S.queued) S.dropped = true;
    if (reason === "io server disconnect") {
      // the host closed it (a reset or a stop); reconnect when the person does something
      if (S.session) app.endHere("connection_lost");
      else if (S.joining || S.queued) {
        app.teardown();
        app.showProfile("The host closed the connection. Try again.");
      }
      return;
    }
    banner("banner-connection", "The connection to the host was lost. Reconnecting…");
  });

  socket.io.on("reconnect_attempt", (n) => {
    if (n > 1) banner("banner-connection", `The connection to the host was lost. Reconnecting… (try ${n})`);
  });

  socket.on("connect_error", (err) => {
    const code = err && err.data && err.data.error;
    if (code === "invalid_token") {
      if (currentScreen() === "ended") {
        say($("ended-note"), "To talk again, scan the host's QR code again: this link is not valid any more.");
        return;
      }
      app.problem(err.message || "This link is not valid any more.", [
        "Scan the QR code on the host's screen again: the host may have started a new round.",
      ]);
      return;
    }
    if (code === "invalid_resume") {
      const had = Boolean(S.session) || S.restoring;
      S.link.drop(); // and connect again with the token alone
      socket.connect();
      if (had) app.endHere("invalid_resume");
      return;
    }
    if (!socket.active) {
      app.problem(err.message || "The host refused the connection.", ["Scan the host's QR code again."]);
      return;
    }
    banner("banner-connection", "Can't reach the host. Retrying… Check that this device is on the same Wi-Fi as the host.");
  });

  // -- joining -----------------------------------------------------------------------------
  socket.on("session_info", (info) => {
    if (!info || typeof info !== "object") return;
    clearTimeout(S.joinTimer);
    if (typeof info.resume === "string" && info.resume) S.link.keep(info.session_id, info.resume);
    if (info.resumed === true) {
      resumed(app, info);
      return;
    }
    if (!S.joining && !S.queued && !S.evening) {
      // the answer to a join this page gave up on
      socket.emit("leave");
      S.link.drop();
      return;
    }
    S.joining = false;
    S.queued = null;
    S.session = { id: info.session_id, role: info.role, status: info.status };
    if (S.evening) {
      // a new round: a new partner, on the call screen with the camera still on
      Object.assign(S, { partnerName: "", hadPartner: false, partnerLeft: false });
      app.transcript.clear();
      showScreen("call");
    }
    app.setPartner(info.peer);
    app.setPhase(info.phase || (info.status === "active" ? "icebreaker" : null));
    app.startCall();
    if (info.role === "B" && info.peer) S.call.offer();
    app.render();
  });

  socket.on("queued", (q) => {
    if (!q || typeof q !== "object" || q.left) return; // leaving the line was already shown
    if (!S.joining && !S.queued) return;
    clearTimeout(S.joinTimer);
    S.joining = false;
    S.queued = { position: Number(q.position) || 1, ahead: Number(q.ahead) || 0 };
    app.render();
  });

  socket.on("session_error", (e) => {
    const code = e && e.error;
    const message = (e && e.message) || "";
    if (S.joining && (code === "session_full" || code === "invalid_profile" || code === "invalid_room")) {
      app.teardown();
      if (code === "session_full") {
        const text = message.startsWith("Matchmaking room is full") ? message : `Matchmaking room is full. ${message}`;
        app.showProfile(text.trim());
      } else {
        app.showProfile(message || "The host refused this profile.");
      }
      return;
    }
    if (["invalid_target", "not_in_session", "already_joined", "already_queued"].includes(code)) {
      console.debug("host:", code, message); // signaling to a partner that just left or came back
      return;
    }
    if (currentScreen() === "call" && message) toast(message);
    else console.warn("host:", code, message);
  });

  // -- the partner -------------------------------------------------------------------------
  socket.on("user_joined", (u) => {
    if (!S.session || !u || typeof u !== "object") return;
    S.session.status = "active";
    app.setPartner(u);
    if (S.call) S.call.setTarget(u.id);
    if (!$("phase").textContent) app.setPhase("icebreaker");
    app.render();
  });

  socket.on("user_left", (u) => {
    if (!S.session || !u || (S.partner && u.id !== S.partner.id && u.role !== S.partner.role)) return;
    S.partnerLeft = true;
    if (S.call) S.call.close();
    S.call = null;
    $("remote-video").srcObject = null;
    S.remotePlaying = false;
    banner("banner-peer", "");
    banner("banner-media", "");
    app.render();
  });

  socket.on("peer_status", (p) => {
    if (!S.session || !p || typeof p !== "object" || p.role === S.session.role) return;
    const name = S.partnerName || "Your partner";
    if (p.state === "reconnecting") {
      banner("banner-peer", `${name} is reconnecting...`);
      if (S.call) S.call.hold(true);
    } else if (p.state === "connected") {
      banner("banner-peer", "");
      const id = typeof p.id === "string" && p.id ? p.id : S.partner && S.partner.id;
      if (S.partner) S.partner.id = id;
      if (S.call) S.call.partnerBack(id);
    }
  });

  for (const event of ["offer", "answer", "ice_candidate"]) {
    socket.on(event, (data) => app.signal(event, data));
  }

  // -- the conversation --------------------------------------------------------------------
  socket.on("transcript_update", (e) => {
    if (!e || !mine(e.session_id)) return;
    if (e.speaker !== S.session.role) app.interim(""); // the line that was being said
    app.transcript.add(e, e.speaker === S.session.role);
  });

  socket.on("ai_interjection", (e) => {
    if (!e || !mine(e.session_id)) return;
    const text = String(e.text ?? "");
    $("ai-text").textContent = text;
    $("ai-card").hidden = false; // first: the card takes room from the transcript, then it scrolls
    app.transcript.add({ speaker: "AI", name: "HeartLink", text });
    app.readAloud.say(text);
  });

  socket.on("transcript_interim", (e) => {
    if (!e || !mine(e.session_id) || e.speaker === S.session.role) return;
    app.interim(`… ${S.partnerName || "Your partner"}: ${String(e.text ?? "")}`);
  });

  socket.on("speech_status", (status) => {
    if (status && typeof status === "object") app.speechStatus(status);
  });

  socket.on("phase_changed", (p) => {
    if (p && mine(p.session_id)) app.setPhase(p.phase);
  });

  socket.on("session_ended", (e) => {
    if (!e || typeof e !== "object" || S.abandoned.has(e.session_id)) return;
    const summary = typeof e.summary === "string" ? e.summary : "";
    if (currentScreen() === "ended" && e.session_id === S.endedSession) {
      say($("ended-summary"), summary); // the end this page asked for: now with its summary
      $("ended-summary-wrap").hidden = !summary;
      $("ended-wait").hidden = true;
      return;
    }
    if (!mine(e.session_id)) return;
    app.endHere(e.reason, { summary });
  });
}

/** This page got its slot back (after a blip or a reload): rebuild the call and offer again. */
async function resumed(app, info) {
  const { S } = app;
  clearTimeout(S.resumeTimer);
  Object.assign(S, { restoring: false, dropped: false, joining: false, queued: null });
  S.session = { id: info.session_id, role: info.role, status: info.status };
  app.setPartner(info.peer);
  app.setPhase(info.phase);
  app.transcript.replace(Array.isArray(info.transcript) ? info.transcript : [], info.role);
  banner("banner-connection", "");
  if (!S.stream) {
    let stream = null;
    try {
      stream = await openCamera();
    } catch (err) {
      toast(err.message, 8000);
    }
    if (!S.session || S.session.id !== info.session_id) {
      stopStream(stream); // it ended while the camera started
      return;
    }
    S.stream = stream;
    app.startLocal();
  }
  showScreen("call");
  if (!S.call) app.startCall();
  if (info.peer) {
    S.call.setTarget(info.peer.id);
    S.call.hold(false);
    S.call.renegotiate();
  }
  app.render();
}
