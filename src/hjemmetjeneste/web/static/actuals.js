// The planner page's "planned against actual" card: for the shift's published version, the
// key figures from the nurses' recorded times and each visit started or done so far.

import { clock, duration, esc, percent, t, useCatalogue } from "./i18n.js";

useCatalogue("pages");

const $ = (id) => document.getElementById(id);

function signed(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const text = duration(Math.abs(seconds));
  return seconds < 0 ? t("actuals.early", { d: text }) : seconds > 0 ? t("actuals.late_by", { d: text }) : t("actuals.exact");
}

function kpisHtml(k) {
  const figures = [
    [t("actuals.kpi.done"), t("kpi.of", { placed: k.visits_done, total: k.visits_planned }), "done"],
    [t("actuals.kpi.started"), t("kpi.of", { placed: k.visits_started, total: k.visits_planned }), "started"],
    [t("actuals.kpi.on_time"), k.on_time_share === null ? "–" : percent(k.on_time_share), "on_time"],
    [t("actuals.kpi.lateness"), k.mean_lateness_s === null ? "–" : duration(k.mean_lateness_s), "lateness"],
    [t("actuals.kpi.delay"), k.mean_delay_s === null ? "–" : signed(Math.round(k.mean_delay_s)), "delay"],
  ];
  return figures.map(([label, value, id]) => `<div class="kpi" data-kpi="actual-${id}"><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`).join("");
}

function rowsHtml(body, names) {
  const rows = body.visits.filter((r) => r.started_at || r.done_at);
  if (!rows.length) return `<p class="help">${esc(t("actuals.none"))}</p>`;
  return (
    `<table class="actuals-table"><thead><tr><th scope="col">${esc(t("actuals.caregiver"))}</th><th scope="col">${esc(t("actuals.patient"))}</th>` +
    `<th scope="col">${esc(t("actuals.planned"))}</th><th scope="col">${esc(t("actuals.started"))}</th><th scope="col">${esc(t("actuals.done"))}</th>` +
    `<th scope="col">${esc(t("actuals.delay"))}</th><th scope="col">${esc(t("actuals.window"))}</th></tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr data-visit="${esc(r.visit_id)}" data-staff="${esc(r.staff_id)}"><td>${esc(r.first_name)} (${esc(r.staff_id)})</td><td>${esc(names.get(r.visit_id) || r.patient_id)}</td>` +
          `<td>${clock(r.planned_start)}–${clock(r.planned_end)}</td><td>${r.started_at ? clock(r.started_at) : "–"}</td><td>${r.done_at ? clock(r.done_at) : "–"}</td>` +
          `<td>${esc(signed(r.delay_s))}</td>` +
          `<td class="${r.on_time === false ? "late" : ""}">${r.on_time === null ? "–" : esc(r.on_time ? t("actuals.in_window") : t("actuals.outside", { d: duration(r.lateness_s) }))}</td></tr>`,
      )
      .join("") +
    `</tbody></table>`
  );
}

/** Draw the card for ``view``'s shift with ``api`` (the page's authenticated fetch). */
export async function showActuals(view, api) {
  const card = $("actuals-card");
  if (!card) return;
  card.hidden = false;
  const r = view.result;
  const q = new URLSearchParams({ date: r.date, shift: r.shift, district: r.district_id });
  let body;
  try {
    body = await (await api(`/v1/planner/actuals?${q}`)).json();
  } catch (error) {
    $("actual-kpis").innerHTML = "";
    $("actuals").innerHTML = `<p class="help">${esc(error.status === 404 ? t("actuals.unpublished") : t("error.generic", { error: error.message }))}</p>`;
    return;
  }
  const names = new Map(r.worklists.flatMap((w) => w.visits.map((v) => [v.visit_id, v.patient_name.split(/\s+/)[0]])));
  const version = body.versions.map((v) => v.version).join(", ");
  $("actuals-version").textContent = t("actuals.version", { version });
  $("actual-kpis").innerHTML = kpisHtml(body.kpis);
  $("actuals").innerHTML = rowsHtml(body, names);
}
