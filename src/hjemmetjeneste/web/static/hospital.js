// The hospital's view (role specialist): read a patient's municipal care plan (every read is
// audited with its purpose), send "Melding om innlagt pasient" (home visits pause) and an
// "Utskrivningsrapport" (the plan resumes on the discharge date with the changed
// interventions it carries). Everything through the API with the specialist's token.

import { clock, esc, longDate, osloIso, preferredLanguage, setLanguage, t, todayInOslo, useCatalogue } from "./i18n.js";
import { api, insertSignIn, languagePicker, problemText, signOut, signedIn } from "./session.js";

useCatalogue("pages");

const $ = (id) => document.getElementById(id);
const state = { me: null, plan: null, changes: [], sent: null };

function say(text) {
  $("status").textContent = text;
}

function patientId() {
  return $("patient-id").value.trim();
}

function scheduleText(s) {
  if (s.kind === "fixed") return t("hospital.schedule.fixed", { times: s.times.map((x) => x.slice(0, 5)).join(", "), tolerance: s.tolerance_min });
  if (s.kind === "window") return t("hospital.schedule.window", { windows: s.windows.map(([a, b]) => `${a.slice(0, 5)}–${b.slice(0, 5)}`).join(", ") });
  return t("hospital.schedule.as_needed");
}

function renderPlan() {
  const plan = state.plan;
  if (!plan) {
    $("plan").innerHTML = "";
    return;
  }
  $("intervention-ids").innerHTML = plan.interventions.map((i) => `<option value="${esc(i.intervention_id)}">${esc(i.description)}</option>`).join("");
  $("plan").innerHTML =
    `<h3>${esc(t("hospital.plan.of", { name: plan.display_name, id: plan.patient_id }))}</h3>` +
    `<table class="plan"><thead><tr><th scope="col">${esc(t("hospital.plan.area"))}</th><th scope="col">${esc(t("hospital.plan.what"))}</th>` +
    `<th scope="col">${esc(t("hospital.plan.when"))}</th><th scope="col">${esc(t("hospital.plan.duration"))}</th><th scope="col">${esc(t("hospital.plan.by"))}</th></tr></thead><tbody>` +
    plan.interventions
      .map(
        (i) =>
          `<tr data-intervention="${esc(i.intervention_id)}"><td>${esc(i.problem_area)}</td>` +
          `<td>${esc(i.description)}${i.time_critical ? ` <strong class="critical">(${esc(t("nurse.critical"))})</strong>` : ""}<br><small>${esc(i.intervention_id)}</small></td>` +
          `<td>${esc(scheduleText(i.schedule))}</td><td>${esc(t("duration.m", { m: i.duration_min }))}</td>` +
          `<td>${esc([i.required_competence, ...i.required_skills.map((s) => t(`skill.${s}`))].join(", "))}${i.staff_count > 1 ? ` (${esc(t("hospital.plan.two"))})` : ""}</td></tr>`,
      )
      .join("") +
    `</tbody></table>`;
}

async function readPlan(event) {
  event?.preventDefault();
  const q = new URLSearchParams({ purpose: $("purpose").value });
  try {
    state.plan = await (await api(`/v1/patients/${encodeURIComponent(patientId())}/care-plan?${q}`)).json();
    say("");
  } catch (error) {
    state.plan = null;
    say(problemText(error));
  }
  renderPlan();
}

/** One change of the discharge report from the form, in the API's intervention fields. */
function changeFromForm() {
  const action = $("change-action").value;
  const change = { action };
  const id = $("change-id").value.trim();
  if (id) change.intervention_id = id;
  if (action === "stop") return change;
  const description = $("change-description").value.trim();
  if (description) change.description = description;
  const area = $("change-area").value.trim();
  if (area) change.problem_area = area;
  change.duration_min = Number($("change-duration").value);
  const times = $("change-times").value.split(/[,\s]+/).filter(Boolean);
  if (times.length) change.schedule = { kind: "fixed", times, tolerance_min: Number($("change-tolerance").value) || 0 };
  if ($("change-competence").value) change.required_competence = $("change-competence").value;
  if ($("change-skill").value) change.required_skills = [$("change-skill").value];
  change.time_critical = $("change-critical").checked;
  return change;
}

function renderChanges() {
  $("changes").innerHTML = state.changes.length
    ? `<ul class="plain">${state.changes
        .map(
          (c, i) =>
            `<li>${esc(t(`hospital.action.${c.action}`))}: ${esc(c.description || c.intervention_id || "")}` +
            (c.schedule ? ` · ${esc(scheduleText(c.schedule))}` : "") +
            ` <button type="button" class="remove" data-index="${i}">${esc(t("hospital.change.remove"))}</button></li>`,
        )
        .join("")}</ul>`
    : `<p class="help">${esc(t("hospital.changes.none"))}</p>`;
}

async function send(body, where) {
  try {
    const made = await (await api("/v1/events", { method: "POST", body })).json();
    where.textContent = t("hospital.sent.ok", { status: t(`hospital.status.${made.status}`) });
    await loadSent();
    return true;
  } catch (error) {
    where.textContent = problemText(error);
    return false;
  }
}

async function admit(event) {
  event.preventDefault();
  const [day, hhmm] = $("admitted-at").value.split("T");
  await send({ kind: "hospital_admission", patient_id: patientId(), admitted_at: osloIso(day, hhmm.slice(0, 5)) }, $("admit-text"));
}

async function discharge(event) {
  event.preventDefault();
  const body = { kind: "hospital_discharge", patient_id: patientId(), discharged_on: $("discharged-on").value, interventions: state.changes };
  if (await send(body, $("discharge-text"))) {
    state.changes = [];
    renderChanges();
  }
}

async function loadSent() {
  try {
    const body = await (await api("/v1/events")).json();
    state.sent = body.events ?? body;
  } catch {
    state.sent = null;
  }
  renderSent();
}

function renderSent() {
  if (!state.sent) {
    $("sent").innerHTML = `<p class="help">${esc(t("patient.unavailable"))}</p>`;
    return;
  }
  $("sent").innerHTML = state.sent.length
    ? `<ul class="plain">${state.sent
        .map(
          (e) =>
            `<li data-event="${esc(e.id)}">${esc(t(`hospital.kind.${e.kind}`))} · ${esc((e.fields ?? e).patient_id)} · ${esc(longDate(e.created_at.slice(0, 10)))} ${clock(e.created_at)}: ` +
            `<strong class="status-${esc(e.status)}">${esc(t(`hospital.status.${e.status}`))}</strong></li>`,
        )
        .join("")}</ul>`
    : `<p>${esc(t("hospital.sent.none"))}</p>`;
}

async function main() {
  const lang = preferredLanguage();
  insertSignIn("specialist");
  await setLanguage(lang);
  languagePicker(setLanguage, lang, () => {
    renderPlan();
    renderChanges();
    renderSent();
  });
  const asked = new URLSearchParams(location.search);
  if (asked.get("patient")) $("patient-id").value = asked.get("patient");
  const today = todayInOslo();
  $("discharged-on").value = asked.get("date") || today;
  $("admitted-at").value = `${asked.get("date") || today}T${asked.get("time") || "08:00"}`;
  $("signout").addEventListener("click", () => signOut());
  $("plan-form").addEventListener("submit", readPlan);
  $("admit-form").addEventListener("submit", admit);
  $("discharge-form").addEventListener("submit", discharge);
  $("change-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.changes.push(changeFromForm());
    renderChanges();
  });
  $("changes").addEventListener("click", (e) => {
    const button = e.target.closest("button.remove");
    if (!button) return;
    state.changes.splice(Number(button.dataset.index), 1);
    renderChanges();
  });
  try {
    state.me = await signedIn("specialist", say);
  } catch (error) {
    say(problemText(error));
    return;
  }
  $("content").hidden = false;
  renderChanges();
  await loadSent();
  document.body.dataset.ready = "true";
}

window.hospitalPage = { state };
main();
