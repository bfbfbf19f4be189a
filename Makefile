# Visio-relais — every target explains itself: run `make help`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help demo serve test test-sqlite test-postgres test-e2e system-deps lint format bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The test extras come after the Debian packages: pycups builds against libcups2-dev.
$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	bash scripts/system-deps.sh
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed ## Set up and run the demo: migrate, load the reference network, serve on http://127.0.0.1:8000
	DEBUG=1 $(BIN)/visiorelais migrate --noinput
	DEBUG=1 $(BIN)/visiorelais demo-data
	@echo
	@DEBUG=1 $(BIN)/visiorelais enrolment-code BRN-COUT-01 --ttl-minutes 1440 --base-url http://$(HOST):$(PORT)
	@echo "Then open http://$(HOST):$(PORT)/borne/ in that window, and http://$(HOST):$(PORT)/console/ in another (agent-caf)."
	@echo "$(if $(REAL_HOURS),Partners answer within their real service hours.,Partners answer at any hour in the demo (make demo REAL_HOURS=1 for the real service hours).)"
	@bash scripts/demo-bridge.sh start http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/ — Ctrl+C to stop."
	trap 'bash scripts/demo-bridge.sh stop' EXIT; DEBUG=1 PARTNERS_ALWAYS_OPEN=$(if $(REAL_HOURS),0,1) $(BIN)/uvicorn visiorelais.asgi:application --host $(HOST) --port $(PORT) --ws-max-size 65536 --ws-per-message-deflate false

serve: $(BIN)/.installed ## Serve without loading demo data (uses the same SQLite file as the demo)
	DEBUG=1 $(BIN)/visiorelais migrate --noinput
	DEBUG=1 $(BIN)/uvicorn visiorelais.asgi:application --host $(HOST) --port $(PORT) --ws-max-size 65536 --ws-per-message-deflate false

system-deps: ## Install and start what the tests need from Debian (PostgreSQL, Redis, Chromium, coturn, SANE, CUPS); idempotent
	bash scripts/system-deps.sh

test: $(BIN)/.installed-test system-deps ## Install everything the tests need, then run the whole suite on SQLite and on PostgreSQL, then the browser suite
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-e2e

test-sqlite: $(BIN)/.installed-test ## Run the suite on SQLite
	@echo "== test suite on SQLite"
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest -q --ignore=tests/e2e

test-postgres: $(BIN)/.installed-test ## Run the suite on PostgreSQL (PG_TEST_URL, default the local server on 5432)
	@echo "== test suite on PostgreSQL"
	env -u REDIS_URL DATABASE_URL="$$(bash scripts/postgres-url.sh '$(PG_TEST_URL)')" $(BIN)/pytest -q --ignore=tests/e2e

test-e2e: $(BIN)/.installed-test ## Run the browser suite (Chromium, coturn, aiortc, axe) in a loopback-only network namespace, on SQLite
	@echo "== browser suite (tests/e2e) in a private network namespace"
	bash scripts/e2e.sh -q

lint: $(BIN)/.installed-test ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check visiorelais tests bench

format: $(BIN)/.installed-test ## Format the code with ruff
	$(BIN)/ruff format visiorelais tests bench
	$(BIN)/ruff check --fix .

bench: $(BIN)/.installed-test system-deps ## Run every benchmark; prints one `name: value unit` line per figure
	$(BIN)/python -m bench

clean: ## Remove the virtualenv and local data (the demo database, the generated secret key)
	rm -rf $(VENV) var .pytest_cache .ruff_cache
