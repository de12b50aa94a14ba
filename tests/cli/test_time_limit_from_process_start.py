"""`plan --time-limit` run as a program counts from the process's start: starting Python and
importing (seconds on a loaded machine) come out of the budget, not on top of it."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

app_module = importlib.import_module("hjemmetjeneste.cli.app")


def test_process_age_counts_the_time_before_the_command():
    code = (
        "import time; time.sleep(1.2); "
        "from hjemmetjeneste.cli.app import process_age_s; print(process_age_s())"
    )
    age = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True).stdout)  # fmt: skip
    if age == 0.0:
        pytest.skip("no /proc on this system: the budget counts from the command's start")
    assert 1.2 <= age < 60


def test_the_budget_starts_at_the_process_start_only_for_the_program(monkeypatch):
    monkeypatch.setattr(app_module, "process_age_s", lambda: 5.0)
    monkeypatch.setattr(app_module, "_from_process_start", [False])
    app_module._command_starts()
    in_tests = app_module.command_started()
    app_module.count_from_process_start()
    app_module._command_starts()
    assert 4.9 < in_tests - app_module.command_started() < 5.5
