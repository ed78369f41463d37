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

bench: install
	$(BIN)/python -m bench.sync_bench

bench-webhooks: install
	$(BIN)/python -m bench.webhook_bench

# Identity resolution against the sandbox's ground truth, Splink beside it (the optional `bench` extra).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench-match: $(BENCH_STAMP)
	$(BIN)/python -m bench.match_bench $(BENCH_MATCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
