# The one task runner for people and CI. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARCHIE := $(BIN)/archie
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test lint fmt bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(ARCHIE) index corpus/
	$(ARCHIE) docs list --kind adr
	$(ARCHIE) search "why do all service calls need timeouts and retry budgets" -k 3
	$(ARCHIE) search "certificate expired" --kind postmortem --since 2025-01-01 -k 3
	$(ARCHIE) search "multi-region" --kind adr -k 4
	$(ARCHIE) docs show ADR-0016

test: install
	$(BIN)/ruff check assistant api tests benchmarks
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check assistant api tests benchmarks
	$(BIN)/ruff format --check assistant api tests benchmarks

fmt: install
	$(BIN)/ruff check --fix assistant api tests benchmarks
	$(BIN)/ruff format assistant api tests benchmarks

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .archie .pytest_cache .ruff_cache
