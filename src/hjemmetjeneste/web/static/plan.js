// Plain functions over plan results: the differences between two plans of a shift, and the
// printable worklists (one per nurse).

import { clock, esc, longDate, t } from "./i18n.js";
import { firstName } from "./timeline.js";

// Where a day starts or ends when it is not the district's base (a home by its kind only).
function placeLine(key, place) {
  if (!place) return "";
  const name = place.place_id === "home" ? t("place.home") : place.name || place.place_id;
  return `<p>${esc(t(key, { place: name }))}</p>`;
}

function owners(result) {
  const map = new Map();
  for (const w of result.worklists) {
    for (const v of w.visits) {
      if (!map.has(v.visit_id)) map.set(v.visit_id, { staff: new Set(), name: firstName(v.patient_name) });
      map.get(v.visit_id).staff.add(w.staff_id);
    }
  }
  return map;
}

/**
 * What changed from ``before`` to ``after`` per caregiver: visits moved in (and from whom),
 * moved out (and to whom), newly planned (unplaced before) and dropped (unplaced now).
 */
export function diffPlans(before, after) {
  const was = owners(before);
  const now = owners(after);
  const names = new Map([...before.worklists, ...after.worklists].map((w) => [w.staff_id, w.first_name]));
  const unplacedName = new Map();
  for (const r of [before, after]) {
    for (const u of r.unplaced) unplacedName.set(u.visit_id, u.patient_id);
  }
  const rows = new Map();
  const row = (staff) => {
    if (!rows.has(staff)) rows.set(staff, { staff_id: staff, name: names.get(staff) || staff, movedIn: [], movedOut: [], added: [], removed: [] });
    return rows.get(staff);
  };
  const label = (id) => now.get(id)?.name || was.get(id)?.name || unplacedName.get(id) || id;
  for (const id of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(id)?.staff || new Set();
    const a = now.get(id)?.staff || new Set();
    for (const staff of a) {
      if (b.has(staff)) continue;
      if (b.size) row(staff).movedIn.push({ visit_id: id, patient: label(id), other: [...b].map((s) => names.get(s) || s) });
      else row(staff).added.push({ visit_id: id, patient: label(id) });
    }
    for (const staff of b) {
      if (a.has(staff)) continue;
      if (a.size) row(staff).movedOut.push({ visit_id: id, patient: label(id), other: [...a].map((s) => names.get(s) || s) });
      else row(staff).removed.push({ visit_id: id, patient: label(id) });
    }
  }
  return [...rows.values()].sort((x, y) => x.staff_id.localeCompare(y.staff_id));
}

/** The differences as a table (or a sentence when there are none). */
export function diffTable(rows) {
  if (!rows.length) return `<p>${esc(t("replan.none"))}</p>`;
  const list = (items, key) =>
    items.length
      ? `<ul>${items.map((i) => `<li data-visit="${esc(i.visit_id)}">${esc(i.patient)}${i.other ? ` (${esc(t(key, { name: i.other.join(", ") }))})` : ""}</li>`).join("")}</ul>`
      : "–";
  return (
    `<table class="diff"><thead><tr><th scope="col">${esc(t("replan.caregiver"))}</th>` +
    `<th scope="col">${esc(t("replan.moved_in"))}</th><th scope="col">${esc(t("replan.moved_out"))}</th>` +
    `<th scope="col">${esc(t("replan.added"))}</th><th scope="col">${esc(t("replan.removed"))}</th></tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr data-staff="${esc(r.staff_id)}"><th scope="row">${esc(r.name)} (${esc(r.staff_id)})</th>` +
          `<td class="in">${list(r.movedIn, "replan.from")}</td><td class="out">${list(r.movedOut, "replan.to")}</td>` +
          `<td class="added">${list(r.added)}</td><td class="removed">${list(r.removed)}</td></tr>`,
      )
      .join("") +
    "</tbody></table>"
  );
}

/** One printable worklist per nurse (or only ``who``'s), each on its own page. */
export function worklistsHtml(result, who) {
  const chosen = result.worklists.filter((w) => !who || w.staff_id === who);
  const shift = t(`shift.${result.shift}`);
  return chosen
    .map((w) => {
      const rows = w.visits
        .map(
          (v) =>
            `<tr><td>${v.sequence}</td><td class="time">${clock(v.start)}–${clock(v.end)}</td>` +
            `<td>${esc(v.patient_name)}</td><td>${esc(v.address)}</td><td>${esc(v.key_box_note || "")}</td>` +
            `<td><ul>${v.tasks.map((task) => `<li>${esc(task.description)} (${task.duration_min} min)</li>`).join("")}</ul></td></tr>`,
        )
        .join("");
      const table = w.visits.length
        ? `<table><thead><tr><th scope="col">${esc(t("print.seq"))}</th><th scope="col">${esc(t("print.time"))}</th>` +
          `<th scope="col">${esc(t("print.patient"))}</th><th scope="col">${esc(t("print.address"))}</th>` +
          `<th scope="col">${esc(t("print.keybox"))}</th><th scope="col">${esc(t("print.tasks"))}</th></tr></thead><tbody>${rows}</tbody></table>`
        : `<p>${esc(t("print.empty"))}</p>`;
      return (
        `<article class="worklist" data-staff="${esc(w.staff_id)}">` +
        `<h2>${esc(t("print.heading"))}: ${esc(w.first_name)} (${esc(w.staff_id)})</h2>` +
        `<p>${esc(t("print.shift", { date: longDate(result.date), shift, start: clock(w.leave_base), end: clock(w.return_base) }))}</p>` +
        placeLine("print.start_place", w.start_place) +
        placeLine("print.end_place", w.end_place) +
        `${table}</article>`
      );
    })
    .join("");
}
