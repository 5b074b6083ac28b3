# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
APT_STAMP := $(VENV)/.apt-chromium-headless-shell
NPM_STAMP := node_modules/.installed
# Bytecode is cached (in __pycache__, ignored by git): the tests start many interpreters (recognition workers,
# real `harness` processes), which would otherwise all compile the same modules again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint bench clean venv media recognitions

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[examples]'
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,examples]'
	touch $@ $(STAMP)

# Debian's Chromium (its headless shell, see tests/browser/chromium.py) drives the HTML report's browser tests
# (Playwright never downloads a browser here).
$(APT_STAMP): | $(BIN)/python
	@if [ ! -x /usr/bin/chromium-headless-shell ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; fi; \
	fi
	touch $@

# axe-core (pinned in package.json / package-lock.json) audits the HTML report in tests/browser, and
# yaml-language-server (the YAML language server editors use) checks `harness schema`; npm from Debian
# when the machine has none. Nothing is fetched at test time: the browser tests inject node_modules/axe-core.
$(NPM_STAMP): package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; fi; \
	fi
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

SDK1_DIR := $(VENV)/sdk1
SDK1_PIN := google-genai==1.75.0 httpx==0.28.1 httpcore==1.0.9
SDK1_STAMP := $(VENV)/.installed-sdk1

# google-genai 1.x beside the venv's 3.x, so the emulator's conformance tests run both SDK lines.
# --no-deps: its other dependencies come from the venv's own 3.x install, hence the order-only $(STAMP).
$(SDK1_STAMP): Makefile | $(STAMP)
	rm -rf $(SDK1_DIR)
	$(BIN)/pip install -q --no-deps --target $(SDK1_DIR) $(SDK1_PIN)
	touch $@

venv: $(STAMP)

# The example suites' generated media (a video from a still image and a speech clip, a PDF from text in
# suites/media/documents/): rewritten only when missing or older than their sources.
media: $(STAMP)
	$(BIN)/python -m tools.example_media

DEMO_OUT ?= reports/demo

# Every example suite on the local Gemini emulator (no key, no network). Some demo cases fail on
# purpose (real recogniser errors), so the demo itself exits 0; `harness run` alone exits 1 on failures.
demo: $(STAMP) media
	$(BIN)/harness run suites/*.suite.yaml --emulator --emulator-responses suites/emulator-responses.yaml \
	  --out $(DEMO_OUT) --format html,json,markdown,junit --fail-on none
	@echo "open $(DEMO_OUT)/<suite>/report.html, e.g. $(DEMO_OUT)/transcription/report.html"

# One xdist worker more than cores: about a tenth of the suite waits (on real processes, emulator latency, timers),
# and the spare worker keeps the cores busy meanwhile. Whole files per worker, slow files first (tests/conftest.py).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: $(DEV_STAMP) $(APT_STAMP) $(NPM_STAMP) $(SDK1_STAMP) lint media
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# What pocketsphinx hears of every clip the tests send the emulator, recorded into tests/data/recognitions/ so a
# test session does not recognise them again (tests/recognitions.py). Run it after changing the listening path:
# a test fails, naming this target, until the recording matches the code again.
recognitions: $(DEV_STAMP) $(APT_STAMP) $(NPM_STAMP) $(SDK1_STAMP) media
	$(BIN)/python tests/recognitions.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check harness plugins tests bench tools
	$(BIN)/ruff format --check harness plugins tests bench tools
	$(BIN)/mypy

bench: $(DEV_STAMP) $(APT_STAMP) $(NPM_STAMP)
	@for script in bench/bench_*.py; do m=$$(basename $$script .py); echo "== bench.$$m"; $(BIN)/python -m bench.$$m || exit 1; done
	@echo "figures written to docs/benchmarks.md"

clean:
	rm -rf $(VENV) node_modules .harness reports/*/ .pytest_cache .mypy_cache .ruff_cache
	find harness plugins tests bench tools -name __pycache__ -prune -exec rm -rf {} +
