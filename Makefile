# The README's commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app quizapp
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
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

run: setup
	@echo "Serving on http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT) --no-reload

web: setup
	$(FLASK) run --host $(HOST) --port $(PORT) --debug

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy --strict quizapp/scheduling

test: lint typecheck
	$(BIN)/pytest -q

test-fast: venv
	$(BIN)/pytest -q -x --ff

test-postgres: venv
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

bench: venv
	$(BIN)/python -m bench

bench-quick: venv
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
