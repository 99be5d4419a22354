# One task runner for people and CI. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/csfpilot
PYTEST_ARGS ?=
WORKERS ?= 2

.PHONY: install run test test-sqlite test-pg lint e2e bench system-deps format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Serve the app on SQLite with the demo organization at http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/csfpilot serve

## Everything CI runs: system packages, lint, the suite on SQLite, then on PostgreSQL
test: $(STAMP) system-deps lint test-sqlite test-pg

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(BIN)/python scripts/check_migrations.py

test-sqlite: $(STAMP)
	$(BIN)/pytest -n $(WORKERS) -m "not postgres" $(PYTEST_ARGS)

## The database-backed tests again on PostgreSQL (CLI and file tests use files and SQLite only)
test-pg: $(STAMP)
	bash scripts/ensure-postgres.sh
	CSFPILOT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(WORKERS) -m "not e2e and not sqlite_file" tests/webapp tests/api tests/security tests/bench $(PYTEST_ARGS)
	CSFPILOT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(WORKERS) -m postgres tests/serving tests/cli/test_backup_cli.py $(PYTEST_ARGS)

e2e: $(STAMP) system-deps
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) build dist src/*.egg-info
