// An evening of rounds (the lobby, the countdown, breaks, the final list of matches) and the
// private "talk again?" asked at the end of every conversation. Peer text only via textContent.

import { endHere, teardown } from "./conversation.js";
import { PAGE, S, can, go, inConversation, is } from "./state.js";
import { $, clock, say } from "./ui.js";
import { END, EVENING, YOU } from "./vocab.js";

const PERSON_KEY = "heartlink.person"; // who this page is in the evening, across reloads

export function personSecret() {
  try {
    return localStorage.getItem(PERSON_KEY) || undefined;
  } catch {
    return undefined;
  }
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
    if (e.state === EVENING.BREAK) return `A short break. Round ${e.round + 1} of ${e.rounds} starts in:`;
    return "";
  }

  function showStatus() {
    const e = S.evening;
    if (!e || inConversation() || !can(PAGE.LOBBY)) return; // in a conversation: only the chip changes
    if (is(PAGE.ENDED)) {
      // after a round: the question and its answer stay in view through the break
      const unanswered = S.again && !S.again.answered;
      if (e.state === EVENING.BREAK || (e.state === EVENING.ROUND && unanswered)) return;
    }
    say($("lobby-text"), lobbyText(e));
    go(PAGE.LOBBY);
  }

  socket.on("evening_joined", (e) => {
    if (!e || typeof e !== "object") return;
    clearTimeout(S.joinTimer);
    keepPerson(typeof e.person === "string" ? e.person : "");
    S.evening = e;
    matches.clear();
    renderMatches();
    setClock(e.seconds_left);
    showStatus();
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

  socket.on("evening_ended", (e) => {
    if (!e || typeof e !== "object" || !S.evening) return;
    S.evening = { ...S.evening, state: EVENING.OVER, seconds_left: null };
    setClock(null);
    keepPerson("");
    for (const m of Array.isArray(e.matches) ? e.matches : []) addMatch(m);
    if (inConversation()) endHere(END.ROUND_OVER);
    teardown();
    $("ended-title").textContent = "The evening is over";
    say($("ended-reason"), matches.size ? "Thank you for coming! Here is who would like to talk again:"
      : "Thank you for coming!");
    $("btn-restart").textContent = "Back to start";
    go(PAGE.ENDED);
  });

  // -- the private question --------------------------------------------------------------
  socket.on("again_asked", (q) => {
    if (!q || typeof q !== "object" || typeof q.session_id !== "string") return;
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
