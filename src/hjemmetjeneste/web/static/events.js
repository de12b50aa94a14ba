// The planner page's "Hendelser" card: events waiting for a decision (a patient's absence,
// and anything sent with apply=false) with "Godta" (a minimal-change re-plan of the
// published shifts it touches) and "Avvis", what was decided lately, and patients' messages.

import { clock, esc, longDate, t, useCatalogue } from "./i18n.js";

useCatalogue("pages");

const $ = (id) => document.getElementById(id);

function period(f) {
  const from = f.start ?? f.admitted_at ?? f.requested_at;
  if (f.discharged_on) return longDate(f.discharged_on);
  if (!from) return f.date ? longDate(f.date) : "";
  const to = f.end ? ` – ${longDate(f.end.slice(0, 10))} ${clock(f.end)}` : "";
  return `${longDate(from.slice(0, 10))} ${clock(from)}${to}`;
}

function who(f) {
  return f.patient_id ? t("events.patient", { id: f.patient_id }) : f.staff_id ? t("events.staff", { id: f.staff_id }) : "";
}

function outcome(e) {
  if (!e.result) return "";
  const changes = Object.values(e.result.changes.by_patient).reduce((n, list) => n + list.length, 0);
  return ` · ${t("events.outcome", { version: e.result.version ?? "–", changes })}`;
}

function rowHtml(e) {
  const f = e.fields;
  const reason = f.reason ? ` · «${esc(f.reason)}»` : "";
  const buttons =
    e.status === "requested"
      ? `<button type="button" class="primary decide" data-event="${esc(e.id)}" data-decision="accept">${esc(t("events.accept"))}</button>` +
        `<button type="button" class="decide" data-event="${esc(e.id)}" data-decision="reject">${esc(t("events.reject"))}</button>`
      : "";
  return (
    `<li data-event="${esc(e.id)}" data-status="${esc(e.status)}"><strong>${esc(t(`events.kind.${e.kind}`))}</strong> · ${esc(who(f))} · ${esc(period(f))}${reason}` +
    ` · <span class="status-${esc(e.status)}">${esc(t(`patient.events.status.${e.status}`))}</span>${esc(outcome(e))} ${buttons}</li>`
  );
}

/** Draw the card with ``api`` (the page's authenticated fetch). */
export async function showEvents(api) {
  const card = $("events-card");
  if (!card) return;
  card.hidden = false;
  try {
    const events = await (await api("/v1/events")).json();
    const waiting = events.filter((e) => e.status === "requested");
    const decided = events.filter((e) => e.status !== "requested").slice(0, 10);
    $("events-waiting").innerHTML = waiting.length ? `<ul class="plain events">${waiting.map(rowHtml).join("")}</ul>` : `<p class="help">${esc(t("events.none"))}</p>`;
    $("events-decided").innerHTML = decided.length ? `<ul class="plain events">${decided.map(rowHtml).join("")}</ul>` : "";
    const messages = await (await api("/v1/planner/messages")).json();
    $("messages").innerHTML = messages.length
      ? `<ul class="plain">${messages
          .slice(0, 20)
          .map((m) => `<li>${esc(t("events.patient", { id: m.patient_id }))} · ${esc(longDate(m.created_at.slice(0, 10)))} ${clock(m.created_at)}: ${esc(m.text)}</li>`)
          .join("")}</ul>`
      : `<p class="help">${esc(t("events.messages.none"))}</p>`;
  } catch (error) {
    $("events-waiting").innerHTML = `<p class="help">${esc(error.status === 404 ? t("patient.unavailable") : t("error.generic", { error: error.message }))}</p>`;
  }
}

/** Accept or reject an event, then redraw; ``after`` runs once it is applied (a new version). */
export async function decide(api, eventId, decision, after) {
  $("events-text").textContent = t(decision === "accept" ? "events.applying" : "events.rejecting");
  try {
    const e = await (await api(`/v1/events/${encodeURIComponent(eventId)}/${decision}`, { method: "POST" })).json();
    $("events-text").textContent = t(`events.done.${e.status}`, { version: e.result?.version ?? "–" });
    if (e.status === "applied") await after();
  } catch (error) {
    $("events-text").textContent = t("error.generic", { error: error.message });
  }
  await showEvents(api);
}
