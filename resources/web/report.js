// Leave and report: the sheet (a reason, an optional note), sending it, and what the reporter
// is told. The partner is told nothing but that the conversation ended. Text only via textContent.

import { endHere } from "./conversation.js";
import { PAGE, S, inConversation, is, onChange } from "./state.js";
import { $, say } from "./ui.js";
import { END, REPORT_NOTE_MAX, REPORT_REASONS } from "./vocab.js";

const CONFIRM_TIMEOUT_MS = 10000; // no report_received by then: say so
const FROM_CALL = "call";
const FROM_AGAIN = "again";
// The host's refusals of a report (docs/protocol.md): the page's own checks make them rare.
const REFUSED = ["invalid_payload", "not_in_session"];

let about = null; // while the sheet is open: {session, name, from, opener}
let confirmTimer = null;

/** Characters as the host counts them (code points, not UTF-16 units). */
function length(text) {
  return [...text].length;
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The four reasons as radio buttons, in the words of the shared vocabulary. */
function buildReasons() {
  const box = $("report-reasons");
  box.replaceChildren(...Object.entries(REPORT_REASONS).map(([code, words]) => {
    const label = document.createElement("label");
    label.className = "choice";
    const input = Object.assign(document.createElement("input"), { type: "radio", name: "reason", value: code });
    const text = document.createElement("span");
    text.textContent = capitalised(words);
    label.append(input, text);
    return label;
  }));
}

function chosenReason() {
  const checked = $("report-form").querySelector('input[name="reason"]:checked');
  return checked ? checked.value : "";
}

/** The note's counter; a note over the limit is shown as such, never cut (the host refuses it whole). */
function count() {
  const n = length($("report-note").value);
  const over = n - REPORT_NOTE_MAX;
  $("report-count").textContent = over > 0
    ? `${n} / ${REPORT_NOTE_MAX}: ${over} too many. Shorten the note to send it.`
    : `${n} / ${REPORT_NOTE_MAX}`;
  $("report-count").classList.toggle("over", over > 0);
  $("report-note").setAttribute("aria-invalid", String(over > 0));
  return over <= 0;
}

function open(from) {
  const fromCall = from === FROM_CALL;
  if (fromCall ? !S.session : !S.again) return;
  const name = (fromCall ? S.partnerName : S.again.name) || "your partner";
  about = { session: fromCall ? S.session.id : S.again.id, name, from, opener: document.activeElement };
  $("report-title").textContent = fromCall ? "Leave and report" : `Report ${name}`;
  $("report-about").textContent = fromCall
    ? `The conversation ends at once. ${name} sees only that it ended, never that you reported them. The host is told, and you two are never paired again.`
    : `${name} is never told that you reported them. The host is told, and you two are never paired again.`;
  $("report-form").reset();
  count();
  say($("report-status"), "");
  $("btn-report-send").disabled = false;
  document.querySelector("main").inert = true;
  $("report-sheet").hidden = false;
  $("report-title").focus();
}

function close() {
  if ($("report-sheet").hidden) return;
  $("report-sheet").hidden = true;
  document.querySelector("main").inert = false;
  const opener = about && about.opener;
  about = null;
  if (opener && opener.isConnected && opener.offsetParent !== null) opener.focus();
}

function send(event) {
  event.preventDefault();
  if (!about) return;
  const reason = chosenReason();
  if (!reason) {
    say($("report-status"), "Choose what happened first.");
    return;
  }
  if (!count()) {
    say($("report-status"), `The note can hold at most ${REPORT_NOTE_MAX} characters.`);
    return;
  }
  const note = $("report-note").value;
  const payload = { reason };
  if (note.trim()) payload.note = note;
  const { session, name, from } = about;
  S.report = { session, name, from, confirmed: false };
  S.link.emit("report", payload);
  close();
  // the host ends the conversation for both at once; the page does not wait for it
  if (inConversation() && S.session && S.session.id === session) {
    endHere(END.PEER_LEFT, { byMe: !is(PAGE.LEFT), waitSummary: true });
  }
  if (from === FROM_AGAIN || (S.again && S.again.id === session)) $("again-card").hidden = true; // counts as no
  tell("Sending your report to the host…");
  clearTimeout(confirmTimer);
  confirmTimer = setTimeout(() => {
    if (S.report && !S.report.confirmed) {
      tell("The host has not confirmed your report yet. If you can, tell the host in person.");
    }
  }, CONFIRM_TIMEOUT_MS);
}

/** What the reporter reads about their report, on the ended screen. */
function tell(text) {
  say($("ended-report"), is(PAGE.ENDED) ? text : "");
}

/** Wire the buttons, the sheet and the host's answers on `link`'s socket. */
export function wireReport(link) {
  buildReasons();
  $("btn-report").addEventListener("click", () => open(FROM_CALL));
  $("btn-again-report").addEventListener("click", () => open(FROM_AGAIN));
  $("btn-report-cancel").addEventListener("click", close);
  $("report-form").addEventListener("submit", send);
  $("report-note").addEventListener("input", count);
  $("report-sheet").addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  // Whom the sheet is about must not change under it: a new conversation (the next round)
  // would make the report about the new partner. Leaving for the profile or a problem closes it too.
  onChange((state) => {
    if (!about) return;
    const elsewhere = inConversation() && (!S.session || S.session.id !== about.session);
    if (elsewhere || state === PAGE.PROFILE || state === PAGE.PROBLEM) close();
  });

  link.on("report_received", () => {
    if (!S.report || S.report.confirmed) return;
    clearTimeout(confirmTimer);
    S.report.confirmed = true;
    tell(`The host was told. You and ${S.report.name} will not be paired again.`);
  });

  link.on("session_error", (e) => {
    if (!S.report || S.report.confirmed || !e || !REFUSED.includes(e.error)) return;
    clearTimeout(confirmTimer);
    const message = String(e.message || "").trim();
    S.report = null;
    tell(`The host could not take your report${message ? `: ${message}` : "."}`);
  });
}
