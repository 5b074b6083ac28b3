# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
APT_STAMP := $(VENV)/.apt-chromium
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test lint bench clean venv

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

# Debian's Chromium drives the HTML report's browser tests (Playwright never downloads a browser here).
$(APT_STAMP): | $(BIN)/python
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m harness.demo

test: $(DEV_STAMP) $(APT_STAMP)
	$(BIN)/python -m pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check harness plugins tests bench
	$(BIN)/ruff format --check harness plugins tests bench
	$(BIN)/mypy

bench: $(DEV_STAMP) $(APT_STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	@echo "figures written to docs/benchmarks.md"

clean:
	rm -rf $(VENV) .harness reports/*/ .pytest_cache .mypy_cache .ruff_cache
