# Two commands on a machine with nothing but Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install lint types test test-fast demo bench bench-webhooks bench-match clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

test: lint types
	$(BIN)/pytest -q

test-fast: install
	HUB_TEST_BACKENDS=sqlite $(BIN)/pytest -q -x

demo: install
	$(BIN)/hub demo

# The optional `bench` extra: matplotlib (charts), dlt (the peer), Splink and DuckDB (bench-match).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

# Every scenario (bench/run.py): sync 10k/100k/1M on SQLite and PostgreSQL, webhooks, identity resolution,
# write-back, the dlt peer; one summary line each, then docs/benchmarks.md's tables and docs/bench/*.png.
# A smoke run: make bench BENCH_ARGS=--quick
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-webhooks: install
	$(BIN)/python -m bench.webhook_bench

# Identity resolution against the sandbox's ground truth, Splink beside it.
bench-match: $(BENCH_STAMP)
	$(BIN)/python -m bench.match_bench $(BENCH_MATCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
