// The planner's page: sign in, see the day (map, timeline, key figures, unplaced tasks),
// plan with live progress, move visits by hand and review the re-plan, publish and print.
// Everything it shows comes from the API with the signed-in bearer token.

import { clock, currentLanguage, duration, esc, percent, preferredLanguage, setLanguage, t, todayInOslo } from "./i18n.js";
import { showActuals } from "./actuals.js";
import { decide, showEvents } from "./events.js";
import { api } from "./session.js";
import { RouteMap } from "./map.js";
import { diffPlans, diffTable, worklistsHtml } from "./plan.js";
import { Timeline, firstName, indexVisits } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem("hjemmetjeneste.token"),
  me: null,
  config: null,
  view: null,
  runId: null,
  following: null,
  dialogVisit: null,
  pending: null,
  etag: null,
  perf: { renders: [] },
};
let map = null;
let timeline = null;

function say(text) {
  $("status").textContent = text;
}

function fail(error) {
  say(error.status === 403 ? t("error.forbidden") : t("error.generic", { error: error.message }));
}

// --- sign-in ----------------------------------------------------------------------------

async function showSignIn() {
  for (const id of ["planner", "denied", "user", "signout"]) $(id).hidden = true;
  $("signin").hidden = false;
  const demo = await fetch("/v1/demo").catch(() => null);
  if (demo?.ok) {
    const { roles } = await demo.json();
    $("demo-role").innerHTML = roles.map((r) => `<option value="${esc(r)}">${esc(t(`role.${r}`))}</option>`).join("");
    $("demo-form").hidden = false;
  }
}

async function signIn(token) {
  state.token = token;
  sessionStorage.setItem("hjemmetjeneste.token", token); // api() sends it
  let me;
  try {
    me = await (await api("/v1/me")).json();
  } catch {
    state.token = null;
    sessionStorage.removeItem("hjemmetjeneste.token");
    say(t("signin.failed"));
    await showSignIn();
    return;
  }
  sessionStorage.setItem("hjemmetjeneste.token", token);
  state.me = me;
  $("signin").hidden = true;
  $("user").hidden = false;
  $("signout").hidden = false;
  $("user").textContent = t("user.label", { role: t(`role.${me.role}`), municipality: me.municipality_id });
  say("");
  if (me.role !== "planner") {
    $("denied").hidden = false;
    $("denied-text").textContent = t("denied.text", { role: t(`role.${me.role}`) });
    return;
  }
  $("planner").hidden = false;
  try {
    state.config = await (await api("/v1/planner/config")).json();
  } catch (error) {
    fail(error);
    return;
  }
  $("district").innerHTML = state.config.districts
    .map((d) => `<option value="${esc(d.district_id)}">${esc(d.name)}</option>`)
    .join("");
  $("shift").innerHTML = state.config.shifts.map((s) => `<option value="${esc(s)}">${esc(t(`shift.${s}`))}</option>`).join("");
  if (!$("date").value) $("date").value = todayInOslo();
  if (!map) map = new RouteMap($("map"), state.config, openVisit);
  if (!timeline) timeline = new Timeline($("timeline"), { onOpen: openVisit, onMove: (m) => replan(m.key.split("|")[1], m.toStaff, m.start) });
  await loadLatest();
  await showEvents(api);
}

function signOut() {
  sessionStorage.removeItem("hjemmetjeneste.token");
  state.token = null;
  state.view = null;
  location.reload();
}

// --- runs ---------------------------------------------------------------------------------

function shiftQuery() {
  return { district_id: $("district").value, date: $("date").value, shift: $("shift").value };
}

async function loadLatest() {
  const q = shiftQuery();
  const params = new URLSearchParams({ ...q, limit: "20", lang: currentLanguage() });
  try {
    const list = await (await api(`/v1/runs?${params}`)).json();
    const active = list.find((r) => r.status === "queued" || r.status === "running");
    const done = list.find((r) => r.status === "succeeded");
    if (done) await loadView(done.run_id);
    else clearView();
    if (active) await follow(active.run_id);
    else if (!done) $("run-text").textContent = t("run.none");
  } catch (error) {
    fail(error);
  }
}

function clearView() {
  state.view = null;
  state.runId = null;
  $("kpis").innerHTML = "";
  $("unplaced").innerHTML = "";
  $("timeline").innerHTML = "";
  $("publish").disabled = true;
  $("print").disabled = true;
}

async function startRun(event) {
  event.preventDefault();
  const body = { ...shiftQuery(), time_limit_s: Number($("limit").value) || 10 };
  try {
    const run = await (await api("/v1/runs", { method: "POST", body })).json();
    const final = await follow(run.run_id);
    if (final?.status === "succeeded") await loadView(run.run_id);
  } catch (error) {
    fail(error);
  }
}

function showRun(run) {
  $("progress").value = run.status === "succeeded" ? 1 : run.progress;
  const text =
    run.status === "running"
      ? t("run.running", { percent: Math.round(run.progress * 100) })
      : run.status === "failed"
        ? t("run.failed", { error: run.error || "" })
        : t(`run.${run.status}`);
  $("run-text").textContent = text;
}

/** Follow a run's server-sent events until it is final; returns its final state. */
async function follow(runId) {
  state.following = runId;
  $("cancel").disabled = false;
  $("plan").disabled = true;
  let last = null;
  try {
    // A failed run's reason comes worded by the server in the page's language.
    const response = await api(`/v1/planner/runs/${encodeURIComponent(runId)}/events?lang=${currentLanguage()}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const chunk = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (\w+)/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (event === "progress" && data) {
          last = JSON.parse(data);
          showRun(last);
        }
      }
    }
  } finally {
    state.following = null;
    $("cancel").disabled = true;
    $("plan").disabled = false;
  }
  return last;
}

async function cancelRun() {
  if (!state.following) return;
  try {
    await api(`/v1/runs/${encodeURIComponent(state.following)}/cancel`, { method: "POST" });
  } catch (error) {
    fail(error);
  }
}

async function fetchView(runId) {
  // The explanations of unplaced tasks come worded by the server in the page's language.
  return (await api(`/v1/planner/runs/${encodeURIComponent(runId)}/view?lang=${currentLanguage()}`)).json();
}

async function loadView(runId) {
  const view = await fetchView(runId);
  renderView(view);
  await readPublishedVersion();
  $("run-text").textContent = t("run.loaded", { run: runId.slice(0, 8), status: t("run.succeeded") });
}

// --- the day at a glance ----------------------------------------------------------------

/** Draw a plan view; returns the milliseconds the drawing took (scripting and layout). */
function renderView(view) {
  const started = performance.now();
  const parts = {};
  const part = (name, draw) => {
    const t0 = performance.now();
    draw();
    parts[name] = performance.now() - t0;
  };
  state.view = view;
  state.runId = view.run_id;
  state.visits = indexVisits(view.result);
  part("kpis", () => renderKpis(view));
  part("map", () => map?.draw(view));
  part("timeline", () => timeline?.render(view, view.visit_competence));
  part("unplaced", () => renderUnplaced(view));
  showActuals(view, api).catch(fail);
  $("print-who").innerHTML =
    `<option value="">${esc(t("actions.print_all"))}</option>` +
    view.result.worklists.map((w) => `<option value="${esc(w.staff_id)}">${esc(w.first_name)} (${esc(w.staff_id)})</option>`).join("");
  $("publish").disabled = false;
  $("print").disabled = false;
  part("layout", () => void document.body.offsetHeight); // include the layout in the figure
  const ms = performance.now() - started;
  state.perf.renders.push(ms);
  state.perf.parts = parts;
  return ms;
}

function renderKpis(view) {
  const k = view.result.kpis;
  const figures = [
    [t("kpi.tasks"), t("kpi.of", { placed: k.tasks_placed, total: k.tasks_total }), "tasks"],
    [t("kpi.patient_share"), percent(k.patient_time_share), "patient"],
    [t("kpi.travel_share"), percent(k.travel_share), "travel"],
    [t("kpi.wait"), duration(k.wait_s), "wait"],
    [t("kpi.overtime"), duration(view.overtime_s), "overtime"],
    [
      t("kpi.continuity", { days: view.continuity_days, shifts: view.continuity_shifts }),
      view.caregivers_per_patient == null ? "–" : view.caregivers_per_patient.toLocaleString(currentLanguage() === "nb" ? "nb-NO" : "en-GB"),
      "continuity",
    ],
  ];
  $("kpis").innerHTML = figures
    .map(([label, value, id]) => `<div class="kpi" data-kpi="${id}"><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`)
    .join("");
}

/** Tasks the day's events took out (a patient away or in hospital), each with its event. */
function cancelledHtml(view) {
  const tasks = view.result.cancelled || [];
  if (!tasks.length) return "";
  const rows = tasks
    .map(
      (c) =>
        `<tr data-visit="${esc(c.visit_id)}"><td>${esc(c.patient_id)}</td><td>${esc(c.description)}</td>` +
        `<td>${clock(c.window_start)}–${clock(c.window_end)}</td><td class="event-id">${esc(c.event_id)}</td></tr>`,
    )
    .join("");
  return (
    `<h3 id="cancelled-h">${esc(t("cancelled.heading", { n: tasks.length }))}</h3>` +
    `<table class="unplaced cancelled" aria-labelledby="cancelled-h"><thead><tr><th scope="col">${esc(t("unplaced.patient"))}</th>` +
    `<th scope="col">${esc(t("unplaced.task"))}</th><th scope="col">${esc(t("unplaced.window"))}</th>` +
    `<th scope="col">${esc(t("cancelled.event"))}</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function renderUnplaced(view) {
  const tasks = view.result.unplaced;
  if (!tasks.length) {
    $("unplaced").innerHTML = `<p>${esc(t("unplaced.none"))}</p>` + cancelledHtml(view);
    return;
  }
  const names = new Map(view.unplaced_places.map((p) => [p.visit_id, p.patient_first_name]));
  const rows = tasks
    .map(
      (u, i) =>
        `<tr data-visit="${esc(u.visit_id)}"><td>${esc(names.get(u.visit_id) || u.patient_id)}</td>` +
        `<td>${esc(u.description)}${u.time_critical ? ` <strong class="critical">(${esc(t("unplaced.critical"))})</strong>` : ""}</td>` +
        `<td>${clock(u.window_start)}–${clock(u.window_end)}</td>` +
        `<td><details id="why-${i}"><summary>${esc(t(`reason.${u.reason}`))} <span class="why">${esc(t("unplaced.why"))}</span></summary>` +
        `<p class="explanation">${esc(u.explanation)}</p></details></td>` +
        `<td><button type="button" class="who" data-visit="${esc(u.visit_id)}">${esc(t("visit.who"))}</button></td></tr>`,
    )
    .join("");
  $("unplaced").innerHTML =
    `<table class="unplaced"><thead><tr><th scope="col">${esc(t("unplaced.patient"))}</th><th scope="col">${esc(t("unplaced.task"))}</th>` +
    `<th scope="col">${esc(t("unplaced.window"))}</th><th scope="col">${esc(t("unplaced.reason"))}</th><th scope="col">${esc(t("unplaced.actions"))}</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    cancelledHtml(view);
}

// --- a visit: facts, who could take it, move it -----------------------------------------

function openDialog(title, facts, visitId, owners) {
  state.dialogVisit = visitId;
  $("visit-h").textContent = title;
  $("visit-facts").innerHTML = facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join("");
  $("candidates").hidden = true;
  $("candidates-body").innerHTML = "";
  $("move-to").innerHTML = state.view.result.worklists
    .filter((w) => !owners.has(w.staff_id))
    .map((w) => `<option value="${esc(w.staff_id)}">${esc(w.first_name)} (${esc(w.staff_id)})</option>`)
    .join("");
  $("move-start").value = "";
  $("visit-dialog").showModal();
}

function openVisit(key) {
  const item = state.visits.get(key);
  if (!item) return;
  const v = item.visit;
  const owners = new Set([item.worklist.staff_id, ...v.partner_staff_ids]);
  openDialog(
    `${firstName(v.patient_name)} · ${clock(v.start)}`,
    [
      [t("visit.patient"), esc(firstName(v.patient_name))],
      [t("visit.caregiver"), esc(`${item.worklist.first_name} (${item.worklist.staff_id})`)],
      [t("visit.window"), `${clock(v.window_start)}–${clock(v.window_end)}`],
      [t("visit.planned"), `${clock(v.start)}–${clock(v.end)}`],
      [t("visit.competence"), esc(state.view.visit_competence[v.visit_id] || "–")],
      [t("visit.tasks"), `<ul>${v.tasks.map((task) => `<li>${esc(task.description)} (${task.duration_min} min)</li>`).join("")}</ul>`],
    ],
    v.visit_id,
    owners,
  );
}

function openUnplaced(visitId) {
  const tasks = state.view.result.unplaced.filter((u) => u.visit_id === visitId);
  if (!tasks.length) return;
  const place = state.view.unplaced_places.find((p) => p.visit_id === visitId);
  const name = place?.patient_first_name || tasks[0].patient_id;
  openDialog(
    `${name} · ${t("unplaced.heading")}`,
    [
      [t("visit.patient"), esc(name)],
      [t("visit.window"), `${clock(tasks[0].window_start)}–${clock(tasks[0].window_end)}`],
      [t("unplaced.reason"), esc(t(`reason.${tasks[0].reason}`))],
      [t("visit.competence"), esc(state.view.visit_competence[visitId] || "–")],
      [t("visit.tasks"), `<ul>${tasks.map((u) => `<li>${esc(u.description)}</li>`).join("")}</ul>`],
    ],
    visitId,
    new Set(),
  );
}

async function whoCouldTakeThis() {
  const visitId = state.dialogVisit;
  $("candidates").hidden = false;
  $("candidates-body").textContent = t("candidates.loading");
  try {
    const params = new URLSearchParams({ visit_id: visitId });
    const body = await (await api(`/v1/planner/runs/${encodeURIComponent(state.runId)}/candidates?${params}`)).json();
    if (!body.candidates.length) {
      $("candidates-body").textContent = t("candidates.none", { note: body.note ? t(`candidates.note.${body.note}`) : "" });
      return;
    }
    $("candidates-body").innerHTML =
      `<table class="candidates"><thead><tr><th scope="col">${esc(t("candidates.caregiver"))}</th><th scope="col">${esc(t("candidates.travel"))}</th>` +
      `<th scope="col">${esc(t("candidates.late"))}</th><th scope="col">${esc(t("candidates.start"))}</th><th scope="col"><span class="sr-only">${esc(t("visit.move.heading"))}</span></th></tr></thead><tbody>` +
      body.candidates
        .map(
          (c) =>
            `<tr data-staff="${esc(c.staff_id)}"><th scope="row">${esc(c.first_name)} (${esc(c.staff_id)}, ${esc(c.competence)})</th>` +
            `<td>${esc(duration(c.added_travel_s))}</td>` +
            `<td>${c.feasible ? esc(t("candidates.ok")) : `${esc(duration(c.added_late_s))} – ${esc(t("candidates.late_yes"))}`}</td>` +
            `<td>${clock(c.start)}</td>` +
            `<td><button type="button" class="move-to" data-staff="${esc(c.staff_id)}">${esc(t("candidates.move", { name: c.first_name }))}</button></td></tr>`,
        )
        .join("") +
      "</tbody></table>";
  } catch (error) {
    $("candidates-body").textContent = t("error.generic", { error: error.message });
  }
}

/** "HH:MM" on the plan's date, in the offset of the shift start (next day if before it). */
function startFromClock(value) {
  if (!value) return null;
  const result = state.view.result;
  const offset = result.shift_start.slice(19);
  let when = Date.parse(`${result.date}T${value}:00${offset}`);
  if (when < Date.parse(result.shift_start)) when += 24 * 3600 * 1000;
  return new Date(when).toISOString();
}

// --- change by hand: pin, warm re-plan, review, accept ------------------------------------

async function replan(visitId, staffId, start) {
  if ($("visit-dialog").open) $("visit-dialog").close();
  if (!state.runId || state.following) return;
  say(t("replan.running"));
  try {
    const r = state.view.result;
    const query = new URLSearchParams({ date: r.date, shift: r.shift, district_id: r.district_id });
    const pinsBefore = await (await api(`/v1/pins?${query}`)).json();
    const body = { visit_id: visitId, staff_id: staffId, time_limit_s: Math.min(Number($("limit").value) || 5, 30) };
    if (start) body.start = start;
    const made = await (await api(`/v1/planner/runs/${encodeURIComponent(state.runId)}/replan`, { method: "POST", body })).json();
    const undo = { runId: state.runId, fresh: [], previous: [] };
    for (const id of made.pin_ids) {
      const old = pinsBefore.find((p) => p.pin_id === id);
      if (old) undo.previous.push(old);
      else undo.fresh.push(id);
    }
    const final = await follow(made.run.run_id);
    if (final?.status !== "succeeded") {
      await undoPins(undo);
      say(t(`run.${final?.status || "failed"}`, { error: final?.error || "" }));
      return;
    }
    const view = await fetchView(made.run.run_id);
    state.pending = { view, undo };
    $("diff-body").innerHTML = diffTable(diffPlans(state.view.result, view.result));
    say("");
    $("diff-dialog").showModal();
  } catch (error) {
    fail(error);
  }
}

/** Put the pins back as they were before a move: new ones deleted, earlier ones of the
 * visit (a visit moved twice) restored to their caregiver and start. */
async function undoPins(undo) {
  for (const id of undo.fresh) await api(`/v1/pins/${id}`, { method: "DELETE" }).catch(() => null);
  const old = undo.previous[0];
  if (old) {
    const body = { visit_id: old.visit_id };
    if (old.staff_id) body.staff_id = old.staff_id;
    if (old.start) body.start = old.start;
    await api(`/v1/runs/${encodeURIComponent(undo.runId)}/pins`, { method: "POST", body }).catch(fail);
  }
}

function acceptReplan() {
  const pending = state.pending;
  state.pending = null;
  $("diff-dialog").close();
  if (!pending) return;
  renderView(pending.view);
  say(t("replan.accepted"));
  readPublishedVersion();
}

async function rejectReplan() {
  const pending = state.pending;
  state.pending = null;
  $("diff-dialog").close();
  if (!pending) return;
  await undoPins(pending.undo);
  say(t("replan.rejected"));
}

// --- publish and print ----------------------------------------------------------------------

function publicationPath(r) {
  return `/v1/publications/${encodeURIComponent(r.district_id)}/${r.date}/${r.shift}`;
}

/** The shift's published version as the planner saw it when the plan was shown (its ETag). */
async function readPublishedVersion() {
  const r = state.view?.result;
  if (!r) return;
  try {
    const history = await (await api(publicationPath(r))).json();
    state.etag = `"${history.current_version}"`;
    $("publish-text").textContent = t("publish.seen", { version: history.current_version });
  } catch (error) {
    fail(error);
  }
}

/** Publish with If-Match: the version seen. If someone published since, the API answers
 * 409: the planner is told, and the next press publishes over the version now current. */
async function publish() {
  const r = state.view?.result;
  if (!r || !state.etag) return;
  try {
    const response = await api(`/v1/runs/${encodeURIComponent(state.runId)}/publish`, { method: "POST", headers: { "If-Match": state.etag } });
    const pub = await response.json();
    state.etag = response.headers.get("ETag") || `"${pub.version}"`;
    $("publish-text").textContent = t("publish.done", { version: pub.version });
  } catch (error) {
    if (error.status === 409) {
      const now = await (await api(publicationPath(r))).json();
      state.etag = `"${now.current_version}"`;
      $("publish-text").textContent = t("publish.stale", { version: now.current_version });
    } else {
      $("publish-text").textContent = t("publish.failed", { error: error.message });
    }
  }
}

function printWorklists() {
  if (!state.view) return;
  $("print-area").innerHTML = worklistsHtml(state.view.result, $("print-who").value);
  window.print();
}

// --- start ----------------------------------------------------------------------------------

async function changeLanguage() {
  await setLanguage($("lang").value);
  if (state.me) $("user").textContent = t("user.label", { role: t(`role.${state.me.role}`), municipality: state.me.municipality_id });
  if (state.me && state.me.role !== "planner") $("denied-text").textContent = t("denied.text", { role: t(`role.${state.me.role}`) });
  if (state.config) $("shift").innerHTML = state.config.shifts.map((s) => `<option value="${esc(s)}">${esc(t(`shift.${s}`))}</option>`).join("");
  if (state.view) renderView(await fetchView(state.view.run_id).catch(() => state.view));
}

async function main() {
  const lang = preferredLanguage();
  $("lang").value = lang;
  await setLanguage(lang);
  $("lang").addEventListener("change", changeLanguage);
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("token").value.trim());
  });
  $("demo-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const response = await fetch("/v1/demo/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role: $("demo-role").value }),
    });
    if (response.ok) await signIn((await response.json()).token);
    else say(t("signin.failed"));
  });
  $("signout").addEventListener("click", signOut);
  $("controls").addEventListener("submit", startRun);
  $("load").addEventListener("click", loadLatest);
  $("cancel").addEventListener("click", cancelRun);
  $("who").addEventListener("click", whoCouldTakeThis);
  $("visit-close").addEventListener("click", () => $("visit-dialog").close());
  $("candidates-body").addEventListener("click", (e) => {
    const button = e.target.closest("button.move-to");
    if (button) replan(state.dialogVisit, button.dataset.staff, null);
  });
  $("move-form").addEventListener("submit", (e) => {
    e.preventDefault();
    replan(state.dialogVisit, $("move-to").value, startFromClock($("move-start").value));
  });
  $("unplaced").addEventListener("click", (e) => {
    const button = e.target.closest("button.who");
    if (!button) return;
    openUnplaced(button.dataset.visit);
    whoCouldTakeThis();
  });
  $("diff-accept").addEventListener("click", acceptReplan);
  $("diff-reject").addEventListener("click", rejectReplan);
  $("diff-dialog").addEventListener("cancel", (e) => {
    e.preventDefault();
    rejectReplan();
  });
  $("publish").addEventListener("click", publish);
  $("actuals-refresh").addEventListener("click", () => state.view && showActuals(state.view, api).catch(fail));
  $("events-refresh").addEventListener("click", () => showEvents(api));
  $("events-card").addEventListener("click", (e) => {
    const button = e.target.closest("button.decide");
    if (button) decide(api, button.dataset.event, button.dataset.decision, loadLatest);
  });
  $("print").addEventListener("click", printWorklists);
  if (state.token) await signIn(state.token);
  else await showSignIn();
  document.body.dataset.ready = "true";
}

window.planner = {
  state,
  renderView,
  moveTimes: () => timeline?.moveTimes ?? [],
  mapPoint: (lat, lon) => map?.clientPoint(lat, lon),
};
main();
