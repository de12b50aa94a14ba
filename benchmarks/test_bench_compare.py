"""The regression comparison itself (runs in milliseconds, also under ``-k smoke``)."""

from __future__ import annotations

import json

from compare import compare


def _file(tmp_path, name, base_min, work_min, objective, limit=None):
    info = {"objective": objective} | ({"limit_s": limit} if limit else {})
    data = {
        "benchmarks": [
            {"fullname": "b.py::test_baseline", "group": "baseline", "stats": {"min": base_min}},
            {"fullname": "b.py::test_work", "group": "x", "stats": {"min": work_min},
             "extra_info": info},
        ]
    }  # fmt: skip
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_smoke_compare_normalises_by_the_baseline(tmp_path):
    """Twice as slow on a machine twice as slow is no regression; 1.5× on the same one is."""
    old = _file(tmp_path, "old.json", 1.0, 10.0, 100)
    assert compare(old, _file(tmp_path, "slow_machine.json", 2.0, 20.0, 100))[1] == []
    assert len(compare(old, _file(tmp_path, "slower_code.json", 1.0, 15.0, 100))[1]) == 1


def test_smoke_compare_objective_threshold_and_limits(tmp_path):
    """A 10 % worse objective fails, 3 % passes; different limits are not compared."""
    old = _file(tmp_path, "old.json", 1.0, 10.0, 100, limit=5)
    assert compare(old, _file(tmp_path, "a.json", 1.0, 10.0, 103, limit=5))[1] == []
    assert len(compare(old, _file(tmp_path, "b.json", 1.0, 10.0, 110, limit=5))[1]) == 1
    assert compare(old, _file(tmp_path, "c.json", 1.0, 10.0, 200, limit=10))[1] == []
