// The timeline (Gantt): one row per caregiver with travel, waiting, visits and breaks, the
// shift's bounds, and double-staffed pairs linked. Visits can be dragged to another row or
// time; Enter or a click opens them.

import { clock, esc, t } from "./i18n.js";

const DRAG_THRESHOLD_PX = 5;
const SNAP_MS = 5 * 60 * 1000;

/** The patient's first name only (the page never shows more of a name than a nurse needs). */
export function firstName(name) {
  return String(name || "").trim().split(/\s+/)[0] || "";
}

function luminance(h, s, l) {
  // HSL to sRGB (CSS Color 4), then WCAG relative luminance.
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n) => {
    const c = l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(8) + 0.0722 * channel(4);
}

/** Colour of caregiver ``i``: spread hues, each as light as white text on it allows
 * (contrast at least 4.6:1, WCAG AA for small text). */
export function colourOf(i) {
  const hue = Math.round((i * 137.508) % 360);
  let light = 36;
  while (light > 10 && 1.05 / (luminance(hue, 0.62, light / 100) + 0.05) < 4.6) light -= 1;
  return `hsl(${hue} 62% ${light}%)`;
}

/** Every visit of the view keyed by "staff|visit", with its caregiver and row. */
export function indexVisits(result) {
  const byKey = new Map();
  result.worklists.forEach((w, row) => {
    for (const v of w.visits) byKey.set(`${w.staff_id}|${v.visit_id}`, { visit: v, worklist: w, row });
  });
  return byKey;
}

function span(result) {
  let lo = Date.parse(result.shift_start);
  let hi = Date.parse(result.shift_end);
  for (const w of result.worklists) {
    lo = Math.min(lo, Date.parse(w.leave_base));
    hi = Math.max(hi, Date.parse(w.return_base));
  }
  const hour = 3600 * 1000;
  lo = Math.floor((lo - hour / 4) / hour) * hour;
  hi = Math.ceil((hi + hour / 4) / hour) * hour;
  return { lo, hi, width: hi - lo };
}

/** The accessible name of a visit block: time, patient, tasks, window, partners. */
export function visitLabel(visit, names) {
  let label = t("visit.label", {
    time: `${clock(visit.start)}–${clock(visit.end)}`,
    patient: firstName(visit.patient_name),
    count: visit.tasks.length,
    window: `${clock(visit.window_start)}–${clock(visit.window_end)}`,
  });
  if (visit.partner_staff_ids.length) {
    const partners = visit.partner_staff_ids.map((id) => names.get(id) || id).join(", ");
    label += `, ${t("visit.double", { partners })}`;
  }
  return label;
}

export class Timeline {
  /** ``handlers``: onOpen(key), onMove({key, toStaff, start}). */
  constructor(container, handlers) {
    this.el = container;
    this.handlers = handlers;
    this.drag = null;
    this.suppressClick = false;
    this.moveTimes = []; // milliseconds spent in each drag move (responsiveness figure)
    this.el.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.el.addEventListener("click", (e) => this.click(e));
    this.el.addEventListener("keydown", (e) => this.keyDown(e));
    this.el.addEventListener("mouseover", (e) => this.hover(e));
    this.el.addEventListener("mouseout", (e) => this.unhover(e));
    this.el.addEventListener("focusin", (e) => this.hover(e));
    this.el.addEventListener("focusout", (e) => this.unhover(e));
    this.onMoveBound = (e) => this.pointerMove(e);
    this.onUpBound = (e) => this.pointerUp(e);
    this.onKeyBound = (e) => {
      if (e.key === "Escape") this.pointerUp(e, true);
    };
    this.tooltip = document.getElementById("tooltip");
  }

  /** Draw ``view`` (a plan view of the API) with one colour per caregiver. */
  render(view, competence) {
    const result = view.result;
    this.result = result;
    this.competence = competence || {};
    this.byKey = indexVisits(result);
    this.names = new Map(result.worklists.map((w) => [w.staff_id, w.first_name]));
    this.rowOf = new Map(result.worklists.map((w, i) => [w.staff_id, i]));
    const s = span(result);
    this.span = s;
    const pos = (iso) => ((Date.parse(iso) - s.lo) / s.width) * 100;
    const box = (from, to) => {
      const a = pos(from);
      return `left:${a.toFixed(3)}%;width:${Math.max(pos(to) - a, 0.05).toFixed(3)}%`;
    };
    const parts = [];
    // Hour ticks.
    parts.push('<div class="tl-axis" aria-hidden="true"><div class="tl-axis-label"></div><div class="tl-axis-track">');
    for (let h = s.lo; h <= s.hi; h += 3600 * 1000) {
      parts.push(`<span class="tick" style="left:${(((h - s.lo) / s.width) * 100).toFixed(3)}%">${clock(h)}</span>`);
    }
    parts.push("</div></div>");
    parts.push(`<div class="tl-body" role="list" aria-label="${esc(t("timeline.label"))}">`);
    // The overlay first, so that the rows paint over it: the shift's bounds and the lines
    // between double-staffed partners run behind the visits.
    parts.push('<div class="tl-overlay" aria-hidden="true">');
    parts.push(`<div class="bound" style="left:${pos(result.shift_start).toFixed(3)}%"></div>`);
    parts.push(`<div class="bound" style="left:${pos(result.shift_end).toFixed(3)}%"></div>`);
    const linked = new Set();
    result.worklists.forEach((w, row) => {
      for (const v of w.visits) {
        for (const partner of v.partner_staff_ids) {
          const other = this.rowOf.get(partner);
          const id = [v.visit_id, Math.min(row, other), Math.max(row, other)].join("|");
          if (other === undefined || linked.has(id)) continue;
          linked.add(id);
          const top = Math.min(row, other);
          const rows = Math.abs(other - row);
          parts.push(
            `<div class="link" data-visit="${esc(v.visit_id)}" style="left:${pos(v.start).toFixed(3)}%;top:calc(${top} * var(--row-h) + var(--row-h) / 2);height:calc(${rows} * var(--row-h))"></div>`,
          );
        }
      }
    });
    parts.push("</div>");
    result.worklists.forEach((w, row) => {
      const colour = colourOf(row);
      parts.push(
        `<div class="tl-row" role="listitem" data-staff="${esc(w.staff_id)}" data-row="${row}">` +
          `<div class="tl-label"><span class="swatch" style="background:${colour}" aria-hidden="true"></span>` +
          `<span class="name">${esc(w.first_name)}</span> <span class="sub">${esc(w.staff_id)} · ${esc(w.competence)}</span>` +
          `<span class="sr-only">, ${esc(t("timeline.visits", { count: w.visits.length }))}</span></div>` +
          `<div class="tl-track">`,
      );
      parts.push(`<div class="seg route" style="${box(w.leave_base, w.return_base)}" aria-hidden="true"></div>`);
      let prevEnd = w.leave_base;
      for (const v of w.visits) {
        const arrival = Date.parse(v.arrival);
        const travelFrom = new Date(arrival - v.travel_s * 1000).toISOString();
        if (v.travel_s > 0) parts.push(`<div class="seg travel" style="${box(travelFrom, v.arrival)}" aria-hidden="true"></div>`);
        if (Date.parse(v.start) > arrival) parts.push(`<div class="seg wait" style="${box(v.arrival, v.start)}" aria-hidden="true"></div>`);
        const key = `${w.staff_id}|${v.visit_id}`;
        const double = v.partner_staff_ids.length ? " double" : "";
        parts.push(
          `<div class="seg visit${double}" role="button" tabindex="0" data-key="${esc(key)}" ` +
            `style="${box(v.start, v.end)};background:${colour}" aria-label="${esc(visitLabel(v, this.names))}">` +
            `${esc(firstName(v.patient_name))}</div>`,
        );
        prevEnd = v.end;
      }
      const back = Date.parse(w.return_base);
      const home = new Date(Math.max(Date.parse(prevEnd), back - lastLegS(w) * 1000)).toISOString();
      if (w.visits.length && back > Date.parse(home)) parts.push(`<div class="seg travel" style="${box(home, w.return_base)}" aria-hidden="true"></div>`);
      for (const b of w.breaks) parts.push(`<div class="seg break" style="${box(b.start, b.end)}" title="${esc(t("timeline.break"))}" aria-hidden="true"></div>`);
      parts.push("</div></div>");
    });
    parts.push("</div>");
    this.el.innerHTML = parts.join("");
    this.body = this.el.querySelector(".tl-body");
    this.rows = this.body.querySelectorAll(".tl-row");
  }

  visitAt(target) {
    const el = target.closest?.(".seg.visit");
    return el && this.el.contains(el) ? el : null;
  }

  hover(e) {
    const el = this.visitAt(e.target);
    if (!el || this.drag) return;
    const item = this.byKey.get(el.dataset.key);
    if (!item) return;
    const v = item.visit;
    const tasks = v.tasks.map((task) => `<li>${esc(task.description)} (${task.duration_min} min)</li>`).join("");
    this.tooltip.innerHTML =
      `<strong>${esc(firstName(v.patient_name))}</strong>` +
      `<div>${esc(t("visit.window"))}: ${clock(v.window_start)}–${clock(v.window_end)}</div>` +
      `<div>${esc(t("visit.planned"))}: ${clock(v.start)}–${clock(v.end)}</div>` +
      `<div>${esc(t("visit.competence"))}: ${esc(this.competence[v.visit_id] || "–")}</div>` +
      `<ul>${tasks}</ul>`;
    this.highlightPair(v.visit_id, true);
    const rect = el.getBoundingClientRect();
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(rect.left, window.innerWidth - 320) + window.scrollX}px`;
    this.tooltip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }

  unhover(e) {
    const el = this.visitAt(e.target);
    if (!el) return;
    this.tooltip.hidden = true;
    const item = this.byKey.get(el.dataset.key);
    if (item) this.highlightPair(item.visit.visit_id, false);
  }

  /** Emphasise both caregivers' blocks of a double-staffed visit and the line between. */
  highlightPair(visitId, on) {
    const item = [...this.result.worklists].find((w) => w.visits.some((v) => v.visit_id === visitId && v.partner_staff_ids.length));
    if (!item) return;
    const sel = CSS.escape(visitId);
    for (const el of this.el.querySelectorAll(`.seg.visit[data-key$="|${sel}"], .link[data-visit="${sel}"]`)) {
      el.classList.toggle("pair", on);
    }
  }

  click(e) {
    const el = this.visitAt(e.target);
    if (!el) return;
    if (this.suppressClick) {
      this.suppressClick = false;
      return;
    }
    this.handlers.onOpen(el.dataset.key);
  }

  keyDown(e) {
    const el = this.visitAt(e.target);
    if (!el) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.handlers.onOpen(el.dataset.key);
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const all = [...el.parentElement.querySelectorAll(".seg.visit")];
      const next = all[all.indexOf(el) + (e.key === "ArrowRight" ? 1 : -1)];
      next?.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const row = el.closest(".tl-row");
      let other = e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      while (other && !other.querySelector(".seg.visit")) {
        other = e.key === "ArrowDown" ? other.nextElementSibling : other.previousElementSibling;
      }
      other?.querySelector(".seg.visit")?.focus();
    }
  }

  pointerDown(e) {
    const el = this.visitAt(e.target);
    if (!el || e.button !== 0) return;
    const rect = el.getBoundingClientRect();
    this.drag = { el, key: el.dataset.key, x0: e.clientX, y0: e.clientY, grabX: e.clientX - rect.left, moving: false };
    document.addEventListener("pointermove", this.onMoveBound);
    document.addEventListener("pointerup", this.onUpBound);
    document.addEventListener("keydown", this.onKeyBound);
  }

  /** Where a drag at (x, y) would put the visit: the row's caregiver and the snapped start. */
  dropTarget(x, y) {
    const bodyRect = this.body.getBoundingClientRect();
    const rowH = bodyRect.height / this.result.worklists.length;
    const row = Math.max(0, Math.min(this.result.worklists.length - 1, Math.floor((y - bodyRect.top) / rowH)));
    const track = this.trackRect;
    const frac = (x - this.drag.grabX - track.left) / track.width;
    const start = Math.round((this.span.lo + frac * this.span.width) / SNAP_MS) * SNAP_MS;
    return { row, staff: this.result.worklists[row].staff_id, start };
  }

  pointerMove(e) {
    const d = this.drag;
    if (!d) return;
    const started = performance.now();
    if (!d.moving) {
      if (Math.hypot(e.clientX - d.x0, e.clientY - d.y0) < DRAG_THRESHOLD_PX) return;
      d.moving = true;
      this.tooltip.hidden = true;
      this.trackRect = this.el.querySelector(".tl-track").getBoundingClientRect();
      const rect = d.el.getBoundingClientRect();
      d.ghost = d.el.cloneNode(true);
      d.ghost.removeAttribute("tabindex");
      d.ghost.removeAttribute("role");
      d.ghost.setAttribute("aria-hidden", "true");
      d.ghost.className = "seg visit ghost";
      d.ghost.style.width = `${Math.max(rect.width, 40)}px`;
      d.ghost.style.left = "0px";
      d.ghost.style.top = "0px";
      document.body.appendChild(d.ghost);
      d.el.classList.add("dragging");
    }
    const target = this.dropTarget(e.clientX, e.clientY);
    d.ghost.style.transform = `translate(${e.clientX - d.grabX}px, ${e.clientY - 12}px)`;
    d.ghost.textContent = clock(target.start);
    if (target.row !== d.row) {
      this.rows[d.row]?.classList.remove("drop");
      this.rows[target.row]?.classList.add("drop");
      d.row = target.row;
    }
    d.target = target;
    this.moveTimes.push(performance.now() - started);
  }

  /** End a drag: move the visit where it was dropped, or nowhere when ``cancelled`` (Esc). */
  pointerUp(_event, cancelled = false) {
    const d = this.drag;
    document.removeEventListener("pointermove", this.onMoveBound);
    document.removeEventListener("pointerup", this.onUpBound);
    document.removeEventListener("keydown", this.onKeyBound);
    this.drag = null;
    if (!d || !d.moving) return;
    this.suppressClick = true;
    setTimeout(() => (this.suppressClick = false), 0);
    d.ghost.remove();
    d.el.classList.remove("dragging");
    if (d.row !== undefined) this.rows[d.row]?.classList.remove("drop");
    const item = this.byKey.get(d.key);
    const target = d.target;
    if (!item || !target || cancelled) return;
    const sameRow = target.staff === item.worklist.staff_id;
    const shifted = Math.abs(target.start - Date.parse(item.visit.start)) >= SNAP_MS;
    if (!sameRow || shifted) {
      this.handlers.onMove({
        key: d.key,
        toStaff: target.staff,
        start: sameRow ? new Date(target.start).toISOString() : null,
      });
    }
  }
}

function lastLegS(worklist) {
  // Travel home: what is left of the route's travel after the legs to each visit.
  const legs = worklist.visits.reduce((sum, v) => sum + v.travel_s, 0);
  return Math.max(0, worklist.travel_s - legs);
}
