"""A 1,500-visit, 100-caregiver district day on the page: everything draws and a visit can
still be dragged. The figures (render time after the data arrive, time per drag move,
long frames while dragging) are measured in the browser with performance.now() and
reported; speed is judged in docs/planner-page.md, never asserted here."""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from web_helpers import synthetic_view

#: Renders, after the data (JSON text) arrive: parse, draw, layout, and the next frame.
RENDER_JS = """async (text) => {
  const started = performance.now();
  const view = JSON.parse(text);
  window.planner.renderView(view);
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - started;
}"""

#: Frame gaps while the test drags (a requestAnimationFrame loop).
FRAMES_JS = """() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => { window.__frames.push(now - last); last = now;
    if (window.__framing) requestAnimationFrame(tick); };
  window.__framing = true;
  requestAnimationFrame(tick);
}"""


def test_a_1500_visit_day_renders_and_drags(server, page: Page) -> None:
    """100 rows and 1,500 visit blocks, 100 map routes; dragging moves the ghost row by row."""
    page.goto(server.url)
    page.select_option("#demo-role", "planner")
    page.click("#demo-form button[type=submit]")
    expect(page.locator("#planner")).to_be_visible()
    text = json.dumps(synthetic_view())
    renders = [page.evaluate(RENDER_JS, text) for _ in range(5)]
    parts = page.evaluate("window.planner.state.perf.parts")  # of the last render
    expect(page.locator("#timeline .tl-row")).to_have_count(100)
    expect(page.locator("#timeline .seg.visit")).to_have_count(1500)
    expect(page.locator("#map path.route")).to_have_count(100)
    expect(page.locator("#unplaced tbody tr")).to_have_count(5)

    block = page.locator('#timeline .seg.visit[data-key="X010|visit:T010-05"]')
    # Hovering waits until the block receives pointer events: a row scrolled into view is
    # laid out and hit-testable only from its next frame (content-visibility: auto).
    block.hover(position={"x": 2, "y": 5})
    box = block.bounding_box()
    assert box is not None
    page.evaluate(FRAMES_JS)
    page.mouse.down()
    for step in range(60):
        page.mouse.move(box["x"] + 2 + step * 3, box["y"] + 5 + step * 4)
    ghost = page.locator(".seg.visit.ghost")
    expect(ghost).to_have_count(1)
    assert page.locator("#timeline .tl-row.drop").count() == 1
    moves = page.evaluate("window.planner.moveTimes()")
    frames = page.evaluate("window.__framing = false, window.__frames")
    page.keyboard.press("Escape")  # Esc cancels the drag: the ghost goes, nothing is moved
    expect(ghost).to_have_count(0)
    page.mouse.up()
    assert page.locator("#timeline .tl-row.drop").count() == 0
    assert page.locator("#status").text_content() == ""
    assert len(moves) >= 50

    figures = {
        "visits": 1500,
        "caregivers": 100,
        "render_ms": [round(r, 1) for r in renders],
        "render_ms_median": round(statistics.median(renders), 1),
        "last_render_parts_ms": {k: round(v, 1) for k, v in parts.items()},
        "drag_move_ms_median": round(statistics.median(moves), 3),
        "drag_move_ms_max": round(max(moves), 3),
        "drag_frames": len(frames),
        "drag_frame_ms_max": round(max(frames), 1) if frames else None,
        "load_average": os.getloadavg(),
    }
    print(f"\nplanner page at scale: {json.dumps(figures)}")
    out = os.environ.get("HJEMMETJENESTE_PAGE_BENCH_OUT")
    if out:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        path = Path(out) / f"planner_page-{stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
