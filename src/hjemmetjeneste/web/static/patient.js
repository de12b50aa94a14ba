// The patient's page (as in the patient portal): upcoming visits with their time windows and
// the caregiver's first name, beskjeder (notices), cancel a visit or report being away
// (a patient_absence event the home-care office accepts or rejects), and a message to the
// office. Plain words; everything from the API with the patient's own token.

import { clock, esc, longDate, nextDay, osloIso, preferredLanguage, setLanguage, t, todayInOslo, useCatalogue } from "./i18n.js";
import { ApiError, api, insertSignIn, languagePicker, problemText, signOut, signedIn } from "./session.js";

useCatalogue("pages");

const $ = (id) => document.getElementById(id);
const state = { me: null, visits: [], notices: null, events: null, cancelling: null };

function say(text) {
  $("status").textContent = text;
}

function fromDate() {
  return new URLSearchParams(location.search).get("from");
}

/** GET ``path`` as JSON, or null when the server does not offer it (404). */
async function optional(path) {
  try {
    return await (await api(path)).json();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function load() {
  try {
    const from = fromDate();
    const q = from ? `?${new URLSearchParams({ from_date: from })}` : "";
    state.visits = (await (await api(`/v1/patient/visits${q}`)).json()).visits;
    state.notices = await optional(`/v1/patient/notices?${new URLSearchParams({ lang: $("lang").value })}`);
    state.events = await optional("/v1/events");
    render();
  } catch (error) {
    say(problemText(error));
  }
}

function names(list) {
  if (!list.length) return t("patient.visit.someone");
  return list.length === 1 ? list[0] : t("patient.visit.and", { first: list.slice(0, -1).join(", "), last: list[list.length - 1] });
}

function renderVisits() {
  if (!state.visits.length) {
    $("visits").innerHTML = `<p>${esc(t("patient.visits.none"))}</p>`;
    return;
  }
  const byDay = new Map();
  state.visits.forEach((v, i) => {
    if (!byDay.has(v.date)) byDay.set(v.date, []);
    byDay.get(v.date).push([v, i]);
  });
  $("visits").innerHTML = [...byDay.entries()]
    .map(
      ([day, list]) =>
        `<div class="day" data-date="${esc(day)}"><h3>${esc(longDate(day))}</h3>` +
        list
          .map(
            ([v, i]) =>
              `<div class="slot" data-visit="${i}"><span><span class="when">${esc(t("patient.visit.window", { from: clock(v.window_start), to: clock(v.window_end) }))}</span> · ` +
              `${esc(t("patient.visit.who", { names: names(v.caregiver_first_names) }))}</span>` +
              `<button type="button" class="cancel" data-visit="${i}">${esc(t("patient.visit.cancel"))}</button></div>`,
          )
          .join("") +
        `</div>`,
    )
    .join("");
}

function renderNotices() {
  if (state.notices === null) {
    $("notices").innerHTML = `<p class="help">${esc(t("patient.unavailable"))}</p>`;
    return;
  }
  const list = state.notices.notices ?? state.notices;
  $("notices").innerHTML = list.length
    ? list
        .map(
          (n) =>
            `<div class="notice" data-kind="${esc(n.kind)}"><time datetime="${esc(n.created_at)}">${esc(longDate(n.created_at.slice(0, 10)))} ${clock(n.created_at)}</time>${esc(n.text)}</div>`,
        )
        .join("")
    : `<p>${esc(t("patient.notices.none"))}</p>`;
}

function period(e) {
  const f = e.fields ?? e;
  const from = f.start;
  const to = f.end;
  if (!from) return "";
  const sameDay = to && Date.parse(to) - Date.parse(from) <= 24 * 3600 * 1000 && clock(from) === "00:00";
  if (sameDay) return longDate(from.slice(0, 10));
  return t("patient.events.period", { from: `${longDate(from.slice(0, 10))} ${clock(from)}`, to: to ? `${longDate(to.slice(0, 10))} ${clock(to)}` : "–" });
}

function renderEvents() {
  if (state.events === null) {
    $("events").innerHTML = `<p class="help">${esc(t("patient.unavailable"))}</p>`;
    return;
  }
  const list = (state.events.events ?? state.events).filter((e) => e.kind === "patient_absence");
  $("events").innerHTML = list.length
    ? `<ul class="plain">${list
        .map((e) => `<li data-event="${esc(e.id)}">${esc(period(e))}: <strong class="status-${esc(e.status)}">${esc(t(`patient.events.status.${e.status}`))}</strong></li>`)
        .join("")}</ul>`
    : `<p>${esc(t("patient.events.none"))}</p>`;
}

function render() {
  renderNotices();
  renderVisits();
  renderEvents();
}

async function sendAbsence(start, end, reason, where) {
  const body = { kind: "patient_absence", patient_id: state.me.person_id, start, end };
  if (reason) body.reason = reason;
  try {
    const made = await (await api("/v1/events", { method: "POST", body })).json();
    where.textContent = t(made.status === "applied" ? "patient.away.applied" : "patient.away.sent");
    await load();
  } catch (error) {
    where.textContent = problemText(error);
  }
}

function askCancel(index) {
  const v = state.visits[index];
  if (!v) return;
  state.cancelling = v;
  $("cancel-text").textContent = t("patient.cancel.text", { day: longDate(v.date), from: clock(v.window_start), to: clock(v.window_end) });
  $("cancel-dialog").showModal();
}

async function confirmCancel() {
  const v = state.cancelling;
  $("cancel-dialog").close();
  if (!v) return;
  state.cancelling = null;
  await sendAbsence(v.window_start, v.window_end, null, $("status"));
}

async function sendMessage(event) {
  event.preventDefault();
  try {
    await api("/v1/patient/messages", { method: "POST", body: { text: $("message").value.trim() } });
    $("message").value = "";
    $("message-text").textContent = t("patient.message.sent");
  } catch (error) {
    $("message-text").textContent = problemText(error);
  }
}

async function main() {
  const lang = preferredLanguage();
  insertSignIn("patient");
  await setLanguage(lang);
  languagePicker(setLanguage, lang, () => state.me && load());
  const first = fromDate() || todayInOslo();
  $("away-from").value = first;
  $("away-to").value = first;
  $("signout").addEventListener("click", () => signOut());
  $("visits").addEventListener("click", (e) => {
    const button = e.target.closest("button.cancel");
    if (button) askCancel(Number(button.dataset.visit));
  });
  $("cancel-yes").addEventListener("click", confirmCancel);
  $("cancel-no").addEventListener("click", () => $("cancel-dialog").close());
  $("away-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const from = $("away-from").value;
    const to = $("away-to").value;
    if (to < from) {
      $("away-text").textContent = t("patient.away.order");
      return;
    }
    sendAbsence(osloIso(from), osloIso(nextDay(to)), $("away-reason").value.trim(), $("away-text"));
  });
  $("message-form").addEventListener("submit", sendMessage);
  try {
    state.me = await signedIn("patient", say);
  } catch (error) {
    say(problemText(error));
    return;
  }
  $("content").hidden = false;
  await load();
  document.body.dataset.ready = "true";
}

window.patientPage = { state, load };
main();
