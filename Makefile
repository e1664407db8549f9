# specc developer targets. Each target creates .venv at the repo root when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: search the embedded default example; results in out/digits_mlp/
demo: $(STAMP)
	$(BIN)/specc check examples/digits_mlp.cds
	$(BIN)/specc build examples/digits_mlp.cds

## test: lint, type-check and run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

## fast: the tests not marked slow
fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check specc tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/check_speed.py
	$(BIN)/python bench/estimator_accuracy.py --quiet
	$(BIN)/python bench/trial_cost.py
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/rebuild.py

clean:
	rm -rf $(VENV) build dist out .pytest_cache .mypy_cache .ruff_cache
