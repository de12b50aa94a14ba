"""The cost-model variants of continuity.md's "tried in session 7" table (not a test; run
by hand from the repository root; prints one JSON line).

Each variant is the kept model with a switch of this commit set through the environment:
``HORIZON=1`` permanent caregivers per patient for the rota period
(:mod:`hjemmetjeneste.tasks.horizon`) with ``SLACK``, ``KM``, ``TB`` for its
``CAPACITY_SLACK``, ``COMPACT_KM``, ``TEAM_BONUS`` and ``PS=a/b`` for ``PERMANENT_SHARE``;
``NOSETS=1`` the horizon's look-ahead over each patient's coming visits without the
permanent sets (``GFS`` its ``GAP_FILL_SHARE``); ``NEWC=on`` the split search that picks
one newcomer per patient (``NEWC=split``: the split alone, costs unchanged; ``NEWC=known``:
newcomers only for patients who have caregivers already). ``DAYS`` (7), ``IT`` (10000) and
``W`` (1800) as in continuity_report.py. Example::

    DAYS=7 HORIZON=1 SLACK=1.5 PS=1/2 .venv/bin/python benchmarks/reports/continuity_variants.py
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import continuity_report as cr

import hjemmetjeneste.pipeline as pl
import hjemmetjeneste.planning.to_problem as tp
import hjemmetjeneste.tasks.horizon as h
from hjemmetjeneste.domain import ServedTask

KEYS = ("HORIZON", "SLACK", "KM", "TB", "PS", "NOSETS", "GFS", "NEWC", "DAYS", "IT", "W")


def main() -> None:
    env = os.environ
    h.CAPACITY_SLACK = float(env.get("SLACK", h.CAPACITY_SLACK))
    h.COMPACT_KM = float(env.get("KM", h.COMPACT_KM))
    h.TEAM_BONUS = float(env.get("TB", h.TEAM_BONUS))
    if env.get("GFS"):
        tp.GAP_FILL_SHARE = int(env["GFS"])
    if env.get("PS"):
        a, b = env["PS"].split("/")
        tp.PERMANENT_SHARE = (int(a), int(b))
    if env.get("NOSETS"):
        h.preferred_caregivers = lambda *_: {}  # type: ignore[assignment]
    chosen = pl.newcomers
    if env.get("NEWC"):
        pl.NEWCOMER_SPLIT = True
    if env.get("NEWC") == "split":
        pl.newcomers = lambda dp, _b, _s: (  # type: ignore[assignment]
            ServedTask(
                task_id="none", intervention_id="none", patient_id="none",
                staff_ids=("none",), start=dp.shift.start,
            ),
        )  # fmt: skip
    elif env.get("NEWC") == "known":
        pl.newcomers = lambda dp, b, s: tuple(  # type: ignore[assignment]
            t for t in chosen(dp, b, s) if t.patient_id in {x.patient_id for x in dp.history.served}
        )
    days, iterations = int(env.get("DAYS", 7)), int(env.get("IT", 10000))
    data = pl.load_export(Path("data/demo"))
    horizon = bool(env.get("HORIZON") or env.get("NOSETS"))
    last = cr.FIRST + timedelta(days=days - 1)
    r = cr.run(data, int(env.get("W", 1800)), 5.0, last, iterations, horizon)
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in r.items()}
    print(json.dumps({"env": {k: env[k] for k in KEYS if k in env}, **out}, default=str))


if __name__ == "__main__":
    main()
