// The nurse's phone page: her visits of one shift in order, with times, address (a link to
// the phone's map app), key-box note, tasks and partner; what changed since she last opened
// it; "Startet" and "Ferdig" record actual times. Once loaded it stays readable offline: the
// service worker keeps the page's files, localStorage the last worklist, and taps made
// without network wait in an outbox with the moment of the tap until they can be sent.

import { clock, esc, longDate, preferredLanguage, setLanguage, t, todayInOslo, useCatalogue } from "./i18n.js";
import { ApiError, api, insertSignIn, languagePicker, problemText, signOut, signedIn } from "./session.js";

useCatalogue("pages");

const $ = (id) => document.getElementById(id);
const LAST = "hjemmetjeneste.nurse.last";
const OUTBOX = "hjemmetjeneste.nurse.outbox";
const SEEN = "hjemmetjeneste.nurse.seen.";
const state = { me: null, view: null, offline: false };

function say(text) {
  $("status").textContent = text;
}

function readJson(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function firstName(name) {
  return String(name || "").split(/\s+/)[0] || "";
}

function shiftParams() {
  return new URLSearchParams({ date: $("date").value, shift: $("shift").value });
}

function seenKey(view) {
  return `${SEEN}${view.staff_id}.${view.date}.${view.shift}`;
}

// --- loading ----------------------------------------------------------------------------------

/** The changes to show: since the version she last marked as seen. The events API's
 * ``/v1/nurse/changes`` when the server has it; otherwise the worklist's own changes since
 * the version before it. Each: {visit_id, type, before, after}. */
async function changesSince(payload, since) {
  const q = new URLSearchParams({ date: payload.date, shift: payload.shift, since_version: String(since) });
  try {
    const body = await (await api(`/v1/nurse/changes?${q}`)).json();
    return body.changes ?? [];
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const c = payload.changes;
  const starts = new Map(payload.worklist.visits.map((v) => [v.visit_id, v.start]));
  return [
    ...c.added_visit_ids.map((id) => ({ visit_id: id, type: "added", before: null, after: { start: starts.get(id) } })),
    ...c.removed_visit_ids.map((id) => ({ visit_id: id, type: "removed", before: null, after: null })),
    ...c.retimed.map((r) => ({ visit_id: r.visit_id, type: "moved", before: { start: r.previous_start }, after: { start: r.start } })),
  ];
}

async function load() {
  const q = shiftParams();
  say(t("nurse.loading"));
  const previous = readJson(LAST, null);
  let payload;
  let recorded;
  try {
    payload = await (await api(`/v1/nurse/worklist?${q}`)).json();
    recorded = (await (await api(`/v1/nurse/actuals?${q}`)).json()).actuals;
  } catch (error) {
    if (error instanceof ApiError) {
      state.view = null;
      $("visits").innerHTML = "";
      $("changes").hidden = true;
      $("summary").textContent = "";
      say(error.status === 404 ? t("nurse.none") : problemText(error));
      return;
    }
    showCached(previous);
    return;
  }
  const view = {
    staff_id: state.me.person_id,
    date: payload.date,
    shift: payload.shift,
    version: payload.version,
    worklist: payload.worklist,
    partners: payload.partner_first_names || {},
    actuals: Object.fromEntries(recorded.map((a) => [a.visit_id, { started_at: a.started_at, done_at: a.done_at }])),
    changes: [],
    since: null,
    removed: {},
    savedAt: Date.now(),
  };
  const since = Number(localStorage.getItem(seenKey(view))) || null;
  if (since === null) localStorage.setItem(seenKey(view), String(view.version));
  else if (since < view.version) {
    view.since = since;
    view.changes = await changesSince(payload, since).catch(() => []);
    // A removed visit is no longer on the list: name it from the worklist kept before.
    const before = previous && previous.staff_id === view.staff_id && previous.date === view.date && previous.shift === view.shift ? previous : null;
    for (const change of view.changes) {
      const old = before?.worklist.visits.find((v) => v.visit_id === change.visit_id) ?? before?.removed?.[change.visit_id];
      if (old && change.type !== "added") view.removed[change.visit_id] = { patient_name: firstName(old.patient_name), start: old.start };
    }
  }
  applyOutbox(view);
  localStorage.setItem(LAST, JSON.stringify(view));
  state.offline = false;
  $("offline").hidden = true;
  say("");
  render(view);
}

/** Without network: the last worklist kept on this phone, if it is the shift asked for. */
function showCached(cached) {
  state.offline = true;
  if (!cached || (state.me && cached.staff_id !== state.me.person_id)) {
    say(t("nurse.offline.none"));
    return;
  }
  $("date").value = cached.date;
  $("shift").value = cached.shift;
  $("content").hidden = false;
  $("offline").hidden = false;
  $("offline").textContent = t("nurse.offline", { time: clock(cached.savedAt) });
  say("");
  applyOutbox(cached);
  render(cached);
}

// --- drawing ------------------------------------------------------------------------------------

const BADGE = { added: "nurse.change.added", moved: "nurse.change.moved", reassigned: "nurse.change.reassigned" };

function mapLinks(v) {
  const { lat, lon } = v.location;
  const geo = `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(v.address)})`;
  const osm = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  return (
    `<a class="maplink" href="${esc(geo)}">${esc(t("nurse.map.app"))}</a>` +
    `<a class="maplink" href="${esc(osm)}" target="_blank" rel="noopener noreferrer">${esc(t("nurse.map.web"))}</a>`
  );
}

function actualHtml(v, got) {
  const started = got?.started_at;
  const done = got?.done_at;
  const parts = [];
  if (started) parts.push(t("nurse.started.at", { time: clock(started) }));
  if (done) parts.push(t("nurse.done.at", { time: clock(done) }));
  if (got?.pending) parts.push(t("nurse.pending"));
  return (
    `<div class="actual">` +
    `<button type="button" class="primary act" data-kind="started" data-visit="${esc(v.visit_id)}" ${started ? "disabled" : ""}>${esc(t("nurse.started"))}</button>` +
    `<button type="button" class="act" data-kind="done" data-visit="${esc(v.visit_id)}" ${!started || done ? "disabled" : ""}>${esc(t("nurse.done"))}</button>` +
    `<span class="recorded" aria-live="polite">${esc(parts.join(" · "))}</span></div>`
  );
}

/** The partners of a double-staffed visit by first name (never by staff id). */
function partnerNames(v, view) {
  const names = view.partners || {};
  return v.partner_staff_ids.map((id) => names[id] || t("nurse.partner.unknown")).join(", ");
}

function visitHtml(v, view, change) {
  const critical = v.tasks.some((task) => task.time_critical);
  const badge = change && BADGE[change.type] ? `<span class="badge">${esc(t(BADGE[change.type]))}</span>` : "";
  const moved = change && change.before?.start && change.type !== "added" ? `<p class="was">${esc(t("nurse.change.was", { time: clock(change.before.start) }))}</p>` : "";
  const got = view.actuals[v.visit_id];
  const state_ = got?.done_at ? "done" : got?.started_at ? "started" : "";
  return (
    `<li class="visit${change ? " changed" : ""}${state_ ? ` ${state_}` : ""}" data-visit="${esc(v.visit_id)}">` +
    `<div class="visit-head"><span class="seq">${v.sequence}</span>` +
    `<span class="time">${clock(v.start)}–${clock(v.end)}</span>${badge}` +
    (critical ? `<span class="badge critical-badge">${esc(t("nurse.critical"))}</span>` : "") +
    `</div>` +
    `<h2 class="patient">${esc(v.patient_name)}</h2>` +
    moved +
    `<p class="window">${esc(t("nurse.window", { from: clock(v.window_start), to: clock(v.window_end) }))}</p>` +
    `<p class="address">${esc(v.address)}</p><p class="maplinks">${mapLinks(v)}</p>` +
    (v.key_box_note ? `<p class="keybox"><strong>${esc(t("nurse.keybox"))}</strong> ${esc(v.key_box_note)}</p>` : "") +
    (v.partner_staff_ids.length ? `<p class="partner">${esc(t("nurse.partner", { names: partnerNames(v, view) }))}</p>` : "") +
    `<ul class="tasks">${v.tasks
      .map((task) => `<li${task.time_critical ? ' class="critical"' : ""}>${esc(task.description)} (${esc(t("duration.m", { m: task.duration_min }))})</li>`)
      .join("")}</ul>` +
    actualHtml(v, got) +
    `</li>`
  );
}

function changeLine(change, view) {
  const visit = view.worklist.visits.find((v) => v.visit_id === change.visit_id);
  const known = visit ? { patient_name: firstName(visit.patient_name), start: visit.start } : view.removed[change.visit_id];
  const who = known?.patient_name || t("nurse.change.someone");
  const when = change.after?.start ?? known?.start ?? change.before?.start;
  const type = ["added", "removed", "moved", "reassigned", "cancelled"].includes(change.type) ? change.type : "moved";
  return `<li class="change-${type}">${esc(t(`nurse.changes.${type}`, { who, time: when ? clock(when) : "–", before: change.before?.start ? clock(change.before.start) : "–" }))}</li>`;
}

function render(view) {
  state.view = view;
  const visits = view.worklist.visits;
  const changes = new Map(view.changes.map((c) => [c.visit_id, c]));
  const done = visits.filter((v) => view.actuals[v.visit_id]?.done_at).length;
  $("summary").textContent = t("nurse.summary", {
    date: longDate(view.date),
    shift: t(`shift.${view.shift}`),
    count: visits.length,
    done,
    version: view.version,
  });
  $("visits").innerHTML = visits.length ? visits.map((v) => visitHtml(v, view, changes.get(v.visit_id))).join("") : `<li class="empty">${esc(t("nurse.empty"))}</li>`;
  $("changes").hidden = !view.changes.length;
  if (view.changes.length) {
    $("changes-h").textContent = t("nurse.changes.heading", { count: view.changes.length, since: view.since, version: view.version });
    $("changes-list").innerHTML = view.changes.map((c) => changeLine(c, view)).join("");
  }
}

function markSeen() {
  const view = state.view;
  if (!view) return;
  localStorage.setItem(seenKey(view), String(view.version));
  view.changes = [];
  view.since = null;
  localStorage.setItem(LAST, JSON.stringify(view));
  render(view);
  $("visits").focus?.();
}

// --- started and done: recorded at the tap, sent now or when the network is back --------------

function applyOutbox(view) {
  for (const item of readJson(OUTBOX, [])) {
    if (item.staff_id !== view.staff_id || item.date !== view.date || item.shift !== view.shift) continue;
    const got = (view.actuals[item.visit_id] ??= {});
    const field = item.kind === "started" ? "started_at" : "done_at";
    got[field] ??= item.at;
    got.pending = true;
  }
}

async function record(visitId, kind) {
  const view = state.view;
  if (!view) return;
  const item = { staff_id: view.staff_id, date: view.date, shift: view.shift, visit_id: visitId, kind, at: new Date().toISOString() };
  const outbox = readJson(OUTBOX, []);
  outbox.push(item);
  localStorage.setItem(OUTBOX, JSON.stringify(outbox));
  applyOutbox(view);
  localStorage.setItem(LAST, JSON.stringify(view));
  render(view);
  await flush();
}

/** Send the taps waiting in the outbox, oldest first; stop at the first network failure. */
async function flush() {
  let outbox = readJson(OUTBOX, []);
  while (outbox.length) {
    const item = outbox[0];
    const q = new URLSearchParams({ date: item.date, shift: item.shift });
    let stored = null;
    try {
      stored = await (
        await api(`/v1/nurse/visits/${encodeURIComponent(item.visit_id)}/${item.kind}?${q}`, { method: "POST", body: { at: item.at } })
      ).json();
    } catch (error) {
      if (!(error instanceof ApiError)) return; // offline: keep it for later
      say(t("nurse.record.failed", { error: error.message }));
    }
    outbox = readJson(OUTBOX, []).slice(1);
    localStorage.setItem(OUTBOX, JSON.stringify(outbox));
    const view = state.view;
    if (view && view.date === item.date && view.shift === item.shift) {
      const got = (view.actuals[item.visit_id] ??= {});
      if (stored) {
        got.started_at = stored.started_at;
        got.done_at = stored.done_at;
      } else {
        got[item.kind === "started" ? "started_at" : "done_at"] = null;
      }
      got.pending = outbox.some((o) => o.visit_id === item.visit_id);
      localStorage.setItem(LAST, JSON.stringify(view));
      render(view);
    }
  }
}

// --- start ----------------------------------------------------------------------------------------

async function main() {
  const lang = preferredLanguage();
  insertSignIn("nurse");
  await setLanguage(lang);
  languagePicker(setLanguage, lang, () => state.view && (state.offline ? showCached(state.view) : render(state.view)));
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/nurse-sw.js", { scope: "/nurse" }).catch(() => null);
  const asked = new URLSearchParams(location.search);
  $("date").value = asked.get("date") || todayInOslo();
  if (asked.get("shift")) $("shift").value = asked.get("shift");
  $("signout").addEventListener("click", () => signOut([LAST, OUTBOX]));
  $("shift-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("seen").addEventListener("click", markSeen);
  $("visits").addEventListener("click", (event) => {
    const button = event.target.closest("button.act");
    if (button && !button.disabled) record(button.dataset.visit, button.dataset.kind);
  });
  window.addEventListener("online", async () => {
    await flush();
    if (!state.offline) return;
    try {
      state.me ??= await (await api("/v1/me")).json(); // opened offline: who she is, now
      await load();
    } catch {
      // still no answer: the kept list stays
    }
  });
  try {
    state.me = await signedIn("nurse", say);
  } catch {
    showCached(readJson(LAST, null)); // no network to sign in with: the kept worklist
    document.body.dataset.ready = "true";
    return;
  }
  $("content").hidden = false;
  await flush();
  await load();
  document.body.dataset.ready = "true";
}

window.nursePage = { state, flush };
main();
