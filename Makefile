# cohub: two commands. `make run` starts the hub; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export COHUB_DATA_DIR ?= $(CURDIR)/var
PYTEST_WORKERS ?= 2

.PHONY: run install install-test test test-sqlite test-postgres lint security demo bench clean help

help:
	@echo "make run    install into .venv, migrate, load the demo, start the hub and its worker"
	@echo "make test   install test tools, lint, run the suite on SQLite and on PostgreSQL"

run: install
	$(BIN)/cohub demo
	$(BIN)/cohub serve --host $(HOST) --port $(PORT)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files make a second `make run` fast; they change when pyproject.toml does.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# The hub needs ffmpeg to take recordings, and tus-js-client from npm to record
# in the browser and resume uploads. Without root or sudo (or npm) they cannot be
# installed here; the hub still runs, and its recording pages say what is missing.
install: $(VENV)/.installed
	@bash scripts/ensure-system-deps.sh --for-run || \
		echo "Warning: ffmpeg could not be installed, so the hub cannot take recordings yet (apt-get install ffmpeg)."
	@bash scripts/ensure-node-packages.sh --for-run || \
		echo "Warning: the npm packages could not be installed, so recording in the browser is not available (apt-get install nodejs npm, then make run)."

install-test: $(VENV)/.installed-test
	bash scripts/ensure-system-deps.sh
	bash scripts/ensure-node-packages.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Static security scan (fails on high severity; config in pyproject.toml [tool.bandit]) and
# the dependency audit (fails on a known vulnerability; says so and passes when offline).
security: install-test
	$(BIN)/bandit -c pyproject.toml -r cohub config --severity-level high --quiet
	$(BIN)/python scripts/dependency_audit.py

test: install-test lint security
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test suite on SQLite =="
	env -u COHUB_DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	bash scripts/with-postgres.sh $(BIN)/pytest -n $(PYTEST_WORKERS) -q

demo: install
	$(BIN)/cohub demo

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache

bench: install
	$(BIN)/pip install --quiet webvtt-py srt -e '.[bench]'
	$(BIN)/python bench/parse_transcripts.py
	$(BIN)/python bench/findings.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/board.py
	@command -v espeak-ng >/dev/null || bash scripts/ensure-system-deps.sh
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/pii.py
	$(BIN)/python bench/themes.py
