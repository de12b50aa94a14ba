# Two-command quick start: `make demo` plans the demo day shift, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# numba's cache: the CLI's own default (hjemmetjeneste._numba.ensure_cache_dir), so that the
# warm-up of `make setup` serves `.venv/bin/hjemmetjeneste plan` run by hand too (a cache only
# the Makefile used left the first hand-run plan compiling for ~15 s past its time limit).
# NUMBA_CACHE_DIR, when set (CI), holds for both.

.PHONY: setup demo test lint bench bench-smoke bench-quality bench-compare mutation clean

$(BIN)/hjemmetjeneste: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/hjemmetjeneste warmup
	touch $@

setup: $(BIN)/hjemmetjeneste

demo: setup
	HJEMMETJENESTE_DATABASE_URL=sqlite:///out/demo.db $(BIN)/hjemmetjeneste import data/demo
	HJEMMETJENESTE_DATABASE_URL=sqlite:///out/demo.db $(BIN)/hjemmetjeneste plan --date 2026-12-01 --shift day --out out

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-json=benchmarks/results/latest.json -q

# Quality against best-known solutions: SET=solomon|homberger|hhcrsp, LIMIT seconds, PEERS.
SET ?= solomon
LIMIT ?= 30
PEERS ?=
bench-quality: setup
	$(BIN)/hjemmetjeneste bench quality --set $(SET) --time-limit $(LIMIT) $(if $(PEERS),--peers $(PEERS)) --out benchmarks/results

# Solver and task-expansion suites against the committed run; fails on a regression.
bench-compare: setup
	mkdir -p out/bench
	$(BIN)/pytest benchmarks/test_bench_solver.py benchmarks/test_bench_tasks.py -q --benchmark-json=out/bench/solver_tasks.json
	$(BIN)/python benchmarks/compare.py benchmarks/results/solver_tasks.json out/bench/solver_tasks.json

# A short smoke of both kinds of benchmark (what .ci/run does): minutes, not hours.
bench-smoke: setup
	bash benchmarks/smoke.sh

# Mutation testing of the checker, recurrence and clock (a few minutes on one core; not part
# of `make test`): scores and argued survivors in benchmarks/results/mutation-<date>.md.
mutation: setup
	$(BIN)/python benchmarks/mutation.py

clean:
	rm -rf $(VENV) .numba_cache .pytest_cache .benchmarks out mutants
