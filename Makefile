# One task runner for people and CI. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/csfpilot
PYTEST_ARGS ?=
WORKERS ?= 2

.PHONY: install bytecode run test test-sqlite test-pg lint e2e bench bench-client system-deps format clean lock test-latest

LOCK := requirements/lock.txt
TOOLS_LOCK := requirements/tools.txt
LATEST_VENV := .venv-latest

# Every version and hash comes from the lock; csfpilot itself is installed from the checkout
# without resolving anything (build tools from the lock too, so nothing unpinned is fetched).
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# The checkout's modules compiled ahead, as pip does for installed packages: where
# PYTHONDONTWRITEBYTECODE is set (CI, containers), Python still reads bytecode it finds but
# would otherwise compile csfpilot again in every process it starts (a server start about
# 0.3 s of CPU). Only files changed since the last run are compiled again.
bytecode:
	$(BIN)/python -m compileall -q src tests bench

install: $(STAMP)

## Serve the app on SQLite with the demo organization at http://127.0.0.1:8000
run: $(STAMP) bytecode
	$(BIN)/csfpilot serve

## Everything CI runs: system packages, lint, the suite on SQLite, then on PostgreSQL.
## Each stage runs even when one before it failed, so one run reports them all.
test: $(STAMP) system-deps
	@failed=""; \
	for stage in lint test-sqlite test-pg; do \
	  echo "== make $$stage"; \
	  $(MAKE) --no-print-directory $$stage || failed="$$failed $$stage"; \
	done; \
	if [ -n "$$failed" ]; then echo "== failed stages:$$failed"; exit 1; fi; \
	echo "== every stage passed: lint test-sqlite test-pg"

system-deps:
	bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r src
	$(BIN)/python scripts/check_migrations.py

test-sqlite: $(STAMP) bytecode
	$(BIN)/pytest -n $(WORKERS) -m "not postgres" $(PYTEST_ARGS)

## The database-backed tests again on PostgreSQL (CLI and file tests use files and SQLite only)
test-pg: $(STAMP) bytecode
	bash scripts/ensure-postgres.sh
	@status=0; \
	CSFPILOT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(WORKERS) -m "not e2e and not sqlite_file" tests/webapp tests/api tests/security tests/bench $(PYTEST_ARGS) || status=1; \
	CSFPILOT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(WORKERS) -m postgres tests/serving tests/cli/test_backup_cli.py tests/security/test_crash_safety_postgres.py $(PYTEST_ARGS) || status=1; \
	exit $$status

e2e: $(STAMP) system-deps
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# The like-for-like table against the peer (docs/benchmarks.md): run it on an idle machine.
bench-client: $(STAMP)
	$(BIN)/python -m bench --client

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

## Refresh requirements/lock.txt to the newest versions pyproject.toml allows (then run
## `make test` and commit the lock with what the new versions needed).
lock:
	$(PYTHON) -m venv .venv-tools
	.venv-tools/bin/python -m pip install --quiet --require-hashes --no-deps -r $(TOOLS_LOCK)
	.venv-tools/bin/uv pip compile pyproject.toml requirements/build.in --extra test \
	  --generate-hashes --universal --python-version 3.11 --upgrade --quiet -o $(LOCK)
	.venv-tools/bin/uv pip compile requirements/tools.in --generate-hashes --universal \
	  --python-version 3.11 --quiet -o $(TOOLS_LOCK)

## The whole suite against the newest versions pyproject.toml allows, in a venv of its own:
## a new release of a dependency shows up here as a report, not as a broken clone.
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet -e ".[test]"
	$(LATEST_VENV)/bin/python scripts/lock_drift.py $(LOCK)
	touch $(LATEST_VENV)/.installed
	$(MAKE) --no-print-directory test VENV=$(LATEST_VENV)

clean:
	rm -rf $(VENV) $(LATEST_VENV) .venv-tools build dist src/*.egg-info
