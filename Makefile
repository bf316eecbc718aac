# The README's commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app quizapp
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml setup.py | cksum | cut -d' ' -f1)
E2E_STAMP := $(VENV)/.e2e-installed-$(shell cat pyproject.toml setup.py | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml setup.py | cksum | cut -d' ' -f1)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help venv run web scheduler setup test test-fast lint typecheck test-postgres wheel-check bench bench-quick wrk load load-quick audit e2e clean

help:
	@echo "make run            serve the app on http://$(HOST):$(PORT) (with the scheduler)"
	@echo "make test           lint, type-check and run the whole test suite (SQLite)"
	@echo "make test-postgres  run the suite against PostgreSQL ($(PG_URL))"
	@echo "make wheel-check    build the wheel, install it outside the checkout and serve a page"
	@echo "make e2e            browser tests in headless Chromium"
	@echo "make bench          benchmarks (one table)"
	@echo "make audit          known vulnerabilities in the installed dependencies (pip-audit)"
	@echo "make load           load test under gunicorn on SQLite and PostgreSQL (load-quick: 10 s)"

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

setup: venv
	$(FLASK) db upgrade
	$(FLASK) banks import question_bank/ --quiet

# One machine: gunicorn (one worker, so in-memory rate limits are exact without Redis) and the
# scheduler beside it; Ctrl+C stops both, waiting at most 5 s for requests in flight. In
# production run one `flask --app quizapp scheduler run` process and any number of web
# workers. `make web` is Flask's debug server instead.
run: setup
	@echo "Serving on http://$(HOST):$(PORT), with the job scheduler beside it"
	@$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 4 --graceful-timeout 5 \
		--access-logfile - 'quizapp:create_app()'

scheduler: setup
	$(FLASK) scheduler run

web: setup
	$(FLASK) run --host $(HOST) --port $(PORT) --debug

lint: venv
	$(BIN)/ruff check .

# The whole package, then the pure core strictly.
typecheck: venv
	$(BIN)/mypy quizapp
	$(BIN)/mypy --strict --follow-imports=silent quizapp/scheduling quizapp/banks \
		quizapp/rendering.py quizapp/vocabulary.py quizapp/spreadsheet.py

# The browser tests need Chromium and the e2e extra; they run in `make e2e`.
test: lint typecheck
	$(BIN)/pytest -q -m "not e2e"

test-fast: venv
	$(BIN)/pytest -q -x --ff -m "not e2e"

test-postgres: venv
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not e2e"

# What is installed must run: the wheel in a fresh virtualenv in a temporary folder, migrated
# and served by gunicorn (.ci/wheel_check.sh; needs the package index for the dependencies).
wheel-check:
	PYTHON=$(PYTHON) bash .ci/wheel_check.sh

$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	@rm -f $(VENV)/.e2e-installed-*
	@touch $(E2E_STAMP)

# Browser tests in Debian's headless Chromium (tests/e2e/install_chromium.sh installs it).
e2e: $(E2E_STAMP)
	$(BIN)/pytest -q tests/e2e

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@rm -f $(VENV)/.bench-installed-*
	@touch $(BENCH_STAMP)

# The load generator of benchmark 1 is Debian's wrk; without it that row says so.
wrk:
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq wrk) \
		|| echo "wrk could not be installed: benchmark 1 will be skipped"

# One table, every figure against its target (README "Performance"); --quick for a short check.
bench: $(BENCH_STAMP) wrk
	$(BIN)/python -m bench --pg-url $(PG_URL)

bench-quick: $(BENCH_STAMP) wrk
	$(BIN)/python -m bench --quick

# Load test (bench/load.py): the app under gunicorn on loopback, simulated users answering,
# then every accepted answer must be in the review log exactly once. Exits non-zero otherwise.
load: venv
	$(BIN)/python -m bench.load --db sqlite --seconds 60 --users 30 --workers 4
	$(BIN)/python -m bench.load --db postgres --seconds 60 --users 30 --workers 4 --pg-url $(PG_URL)

load-quick: venv
	$(BIN)/python -m bench.load --db sqlite --seconds 10 --users 8 --workers 4
	$(BIN)/python -m bench.load --db postgres --seconds 10 --users 8 --workers 4 --pg-url $(PG_URL)

# Known vulnerabilities in every installed distribution (needs PyPI's JSON API). --strict
# fails when a package cannot be checked, so a network problem is not a silent pass.
audit: venv
	$(BIN)/pip list --format=freeze --exclude-editable > $(VENV)/audit-requirements.txt
	$(BIN)/pip-audit --strict --no-deps --disable-pip -r $(VENV)/audit-requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
