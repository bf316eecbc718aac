# The README's commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app quizapp
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
E2E_STAMP := $(VENV)/.e2e-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help venv run web scheduler setup test test-fast lint typecheck test-postgres bench bench-quick audit e2e clean

help:
	@echo "make run            serve the app on http://$(HOST):$(PORT) (with the scheduler)"
	@echo "make test           lint, type-check and run the whole test suite (SQLite)"
	@echo "make test-postgres  run the suite against PostgreSQL ($(PG_URL))"
	@echo "make e2e            browser tests in headless Chromium"
	@echo "make bench          benchmarks (one table)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

setup: venv
	$(FLASK) db upgrade
	$(FLASK) banks import question_bank/ --quiet

# One machine: the scheduler runs beside the web server; Ctrl+C stops both. In production run
# one `flask --app quizapp scheduler run` process and any number of web workers.
run: setup
	@echo "Serving on http://$(HOST):$(PORT), with the job scheduler beside it"
	@$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT) --no-reload

scheduler: setup
	$(FLASK) scheduler run

web: setup
	$(FLASK) run --host $(HOST) --port $(PORT) --debug

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy --strict quizapp/scheduling quizapp/banks quizapp/rendering.py

# The browser tests need Chromium and the e2e extra; they run in `make e2e`.
test: lint typecheck
	$(BIN)/pytest -q -m "not e2e"

test-fast: venv
	$(BIN)/pytest -q -x --ff -m "not e2e"

test-postgres: venv
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not e2e"

$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	@rm -f $(VENV)/.e2e-installed-*
	@touch $(E2E_STAMP)

# Browser tests in Debian's headless Chromium (tests/e2e/install_chromium.sh installs it).
e2e: $(E2E_STAMP)
	$(BIN)/pytest -q tests/e2e

bench: venv
	$(BIN)/python -m bench

bench-quick: venv
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
