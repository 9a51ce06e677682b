// An evening of rounds (the lobby, the countdown, breaks, the final list of matches) and the
// private "talk again?" asked at the end of every conversation. Peer text only via textContent.

import { endHere, teardown } from "./conversation.js";
import { PAGE, S, can, go, inConversation, is } from "./state.js";
import { $, clock, say } from "./ui.js";
import { END, EVENING, YOU } from "./vocab.js";

const PERSON_KEY = "heartlink.person"; // who this page is in the evening, across reloads
let returning = false; // a `join` sent by the page itself to come back: its answer is no news

export function personSecret() {
  try {
    return localStorage.getItem(PERSON_KEY) || undefined;
  } catch {
    return undefined;
  }
}

/** In an evening that is not over. */
export function inEvening() {
  return Boolean(S.evening && S.evening.state !== EVENING.OVER);
}

/**
 * Back into the evening with the person's secret, by itself: after the socket was lost (the
 * host forgets a person whose socket closed outside a conversation) or the host restarted.
 */
export function rejoinEvening() {
  const person = personSecret();
  if (!S.profile || !person) return false;
  returning = true;
  S.link.join(S.profile, person);
  return true;
}

function keepPerson(secret) {
  try {
    if (secret) localStorage.setItem(PERSON_KEY, secret);
    else localStorage.removeItem(PERSON_KEY);
  } catch {
    // storage disabled: a reload starts as a new person, nothing else changes
  }
}

/** Listen to the evening's events on `link`'s socket; `contact()` is the contact to share. */
export function wireEvening(link, contact) {
  const socket = link.socket;
  let until = 0; // when the current countdown reaches zero (this device's clock)
  let ticker = null;
  const matches = new Map(); // session id -> {name, contact}

  function left() {
    return Math.max(0, (until - Date.now()) / 1000);
  }

  function tick() {
    const e = S.evening;
    const chip = $("round-clock");
    if (!e || e.state === EVENING.OVER || e.seconds_left == null) {
      say(chip, "");
      say($("lobby-clock"), "");
      say($("evening-next"), "");
      return;
    }
    const time = clock(left());
    say(chip, e.state === EVENING.ROUND && inConversation() ? `Round ${e.round} of ${e.rounds} · ${time}` : "");
    say($("lobby-clock"), time);
    const next = e.state === EVENING.BREAK ? `Round ${e.round + 1} starts in ${time}` : "";
    say($("evening-next"), is(PAGE.ENDED) ? next : "");
  }

  function setClock(seconds) {
    clearInterval(ticker);
    until = seconds == null ? 0 : Date.now() + seconds * 1000;
    ticker = seconds == null ? null : setInterval(tick, 500);
    tick();
  }

  function lobbyText(e) {
    if (e.state === EVENING.LOBBY) return "You're in. Round 1 starts when the host begins.";
    if (e.state === EVENING.ROUND && e.you === YOU.BREAK) return `You have a break in round ${e.round}. The next round starts in:`;
    if (e.state === EVENING.ROUND) return `Round ${e.round} is under way. You will be paired in the next round, in:`;
    if (e.state === EVENING.BREAK && e.seconds_left == null) {
      // the host paused it (after a restart): no clock until the host goes on
      return e.round < e.rounds ? `The evening is paused. Round ${e.round + 1} of ${e.rounds} starts when the host goes on.`
        : "The last round is over. The host will end the evening soon.";
    }
    if (e.state === EVENING.BREAK) return `A short break. Round ${e.round + 1} of ${e.rounds} starts in:`;
    return "";
  }

  /** The lobby, unless a conversation or the ended screen of the last one should stay. */
  function showStatus(back = false) {
    const e = S.evening;
    if (!e || inConversation() || !can(PAGE.LOBBY)) return; // in a conversation: only the chip changes
    if (is(PAGE.ENDED)) {
      // after a round: the question and its answer stay in view through the break (coming
      // back after a lost connection, only an unanswered question does)
      const unanswered = Boolean(S.again && !S.again.answered);
      const reported = Boolean(S.report && S.report.session === S.endedSession); // its confirmation shows here
      const held = unanswered || reported;
      if ((e.state === EVENING.BREAK && !back) || (e.state === EVENING.ROUND && held) || (back && held)) return;
    }
    say($("lobby-text"), lobbyText(e));
    go(PAGE.LOBBY);
  }

  socket.on("evening_joined", (e) => {
    if (!e || typeof e !== "object") return;
    clearTimeout(S.joinTimer);
    const back = returning && inEvening();
    returning = false;
    keepPerson(typeof e.person === "string" ? e.person : "");
    S.evening = e;
    if (!back) {
      matches.clear(); // coming back: the matches shown so far stay
      renderMatches();
    }
    setClock(e.seconds_left);
    showStatus(back);
  });

  socket.on("evening_status", (e) => {
    if (!e || typeof e !== "object" || !S.evening) return;
    if (e.you === YOU.LEFT) {
      S.evening = null;
      setClock(null);
      return;
    }
    S.evening = e;
    setClock(e.seconds_left);
    showStatus();
  });

  /** The evening is over for this page: the last screen, with `text`. */
  function over(text) {
    S.evening = { ...S.evening, state: EVENING.OVER, seconds_left: null };
    setClock(null);
    keepPerson("");
    if (inConversation()) endHere(END.ROUND_OVER);
    teardown();
    $("ended-title").textContent = "The evening is over";
    say($("ended-reason"), text);
    $("btn-restart").textContent = "Back to start";
    go(PAGE.ENDED);
  }

  socket.on("evening_ended", (e) => {
    if (!e || typeof e !== "object" || !S.evening) return;
    for (const m of Array.isArray(e.matches) ? e.matches : []) addMatch(m);
    over(matches.size ? "Thank you for coming! Here is who would like to talk again:" : "Thank you for coming!");
  });

  socket.on("session_error", (e) => {
    // coming back too late: the evening ended while this page was away
    if (!returning || !e || e.error !== "evening_ended" || !S.evening) return;
    returning = false;
    over(String(e.message || "") || "The evening is over. Thank you for coming!");
  });

  // -- the private question --------------------------------------------------------------
  socket.on("again_asked", (q) => {
    if (!q || typeof q !== "object" || typeof q.session_id !== "string") return;
    if (S.report && S.report.session === q.session_id) return; // reported: the answer is no
    S.again = { id: q.session_id, name: String(q.name || "your partner"), answered: false };
    $("again-question").textContent = `Would you like to talk with ${S.again.name} again?`;
    say($("again-note"), "");
    for (const id of ["btn-again-yes", "btn-again-no"]) $(id).disabled = false;
    $("again-card").hidden = false;
  });

  function answer(yes) {
    if (!S.again || S.again.answered) return;
    S.again.answered = true;
    S.again.yes = yes;
    for (const id of ["btn-again-yes", "btn-again-no"]) $(id).disabled = true;
    const body = { session_id: S.again.id, yes };
    if (yes && contact()) body.contact = contact();
    socket.emit("again_answer", body);
  }

  $("btn-again-yes").addEventListener("click", () => answer(true));
  $("btn-again-no").addEventListener("click", () => answer(false));

  socket.on("again_received", (r) => {
    if (!S.again || !r || r.session_id !== S.again.id) return;
    say($("again-note"), S.again.yes
      ? `Thank you. If ${S.again.name} would like that too, you will see it here.`
      : "Thank you. Your answer stays private.");
  });

  socket.on("again_match", (m) => {
    if (!m || typeof m !== "object") return;
    addMatch(m);
    if (S.again && m.session_id === S.again.id) {
      say($("again-note"), `It's mutual: ${S.again.name} would like to talk again too!`);
    }
  });

  function addMatch(m) {
    if (typeof m.session_id !== "string" || matches.has(m.session_id)) return;
    matches.set(m.session_id, { name: String(m.name || ""), contact: String(m.contact || "") });
    renderMatches();
  }

  function renderMatches() {
    const list = $("matches");
    list.replaceChildren(...[...matches.values()].map(({ name, contact: shared }) => {
      const li = document.createElement("li");
      const who = document.createElement("strong");
      who.textContent = name;
      li.append(who);
      const how = document.createElement("span");
      how.className = "contact";
      how.textContent = shared || "(shared no contact)";
      li.append(how);
      return li;
    }));
    $("matches-wrap").hidden = matches.size === 0;
  }
}
