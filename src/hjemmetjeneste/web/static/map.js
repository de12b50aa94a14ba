// The map: each caregiver's route in its own colour, visits as markers (double-staffed ones
// ringed), the base, and unplaced tasks as distinct crosses. Tiles only when a tile URL is
// configured; otherwise the routes draw on a plain background and nothing leaves the page.

import { esc, t } from "./i18n.js";
import { colourOf, firstName } from "./timeline.js";

export class RouteMap {
  /** ``onOpen(key)`` is called with "staff|visit" when a visit's marker is clicked. */
  constructor(el, config, onOpen = () => {}) {
    this.onOpen = onOpen;
    const L = window.L;
    this.L = L;
    this.map = L.map(el, {
      preferCanvas: true,
      attributionControl: Boolean(config.tile_url),
      zoomSnap: 0.25,
    });
    if (config.tile_url) {
      L.tileLayer(config.tile_url, { attribution: esc(config.tile_attribution), maxZoom: 19 }).addTo(this.map);
    } else {
      el.classList.add("no-tiles");
      document.getElementById("map-note").hidden = false;
    }
    this.canvas = L.canvas({ padding: 0.3 });
    this.svg = L.svg();
    this.layer = L.layerGroup().addTo(this.map);
    const base = config.districts[0]?.base;
    this.map.setView(base ? [base.lat, base.lon] : [63.43, 10.4], 13);
  }

  /** Where a place is on the screen (client coordinates), for tests and tools. */
  clientPoint(lat, lon) {
    const point = this.map.latLngToContainerPoint([lat, lon]);
    const rect = this.map.getContainer().getBoundingClientRect();
    return { x: rect.left + point.x, y: rect.top + point.y };
  }

  draw(view) {
    const { L, layer } = this;
    const result = view.result;
    layer.clearLayers();
    const base = [view.base.lat, view.base.lon];
    const bounds = L.latLngBounds([base]);
    let routes = 0;
    result.worklists.forEach((w, i) => {
      if (!w.visits.length) return;
      const colour = colourOf(i);
      const points = [base, ...w.visits.map((v) => [v.location.lat, v.location.lon]), base];
      L.polyline(points, {
        renderer: this.svg,
        color: colour,
        weight: 3,
        opacity: 0.85,
        interactive: false,
        className: `route route-${i}`,
      }).addTo(layer);
      routes += 1;
      for (const v of w.visits) {
        const at = [v.location.lat, v.location.lon];
        bounds.extend(at);
        const double = v.partner_staff_ids.length > 0;
        const key = `${w.staff_id}|${v.visit_id}`;
        L.circleMarker(at, {
          renderer: this.canvas,
          radius: double ? 7 : 5,
          color: double ? "#111" : colour,
          weight: double ? 3 : 1,
          fillColor: colour,
          fillOpacity: 0.95,
        })
          .on("click", () => this.onOpen(key))
          .addTo(layer);
      }
    });
    // No marker (nor map extent) at a location that cannot be right: the list names it.
    const implausible = new Set(
      view.result.unplaced
        .filter((u) => u.reason === "implausible_location")
        .map((u) => u.visit_id),
    );
    for (const place of view.unplaced_places) {
      if (implausible.has(place.visit_id)) continue;
      const at = [place.location.lat, place.location.lon];
      bounds.extend(at);
      L.marker(at, {
        icon: L.divIcon({ className: "unplaced-icon", html: "✕", iconSize: [18, 18] }),
        interactive: false,
        keyboard: false,
        title: firstName(place.patient_first_name),
      }).addTo(layer);
    }
    L.marker(base, {
      icon: L.divIcon({ className: "base-icon", html: "⌂", iconSize: [26, 26] }),
      interactive: false,
      keyboard: false,
      title: view.base_name,
      zIndexOffset: 1000,
    }).addTo(layer);
    this.map.invalidateSize();
    this.map.fitBounds(bounds, { padding: [16, 16] });
    const el = this.map.getContainer();
    el.dataset.routes = String(routes);
    el.dataset.unplaced = String(view.unplaced_places.length);
    el.setAttribute("aria-label", `${t("map.label")} (${routes})`);
  }
}
