# Two entry points for a fresh machine: `make build` and `make test`.
# Each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Validata's core (the national validator) lives in its own venv: its pinned dependencies
# must not mix with ours. tests/test_validata.py runs our examples through it.
VALIDATA := .validata-venv
VALIDATA_STAMP := $(VALIDATA)/.installed
# axe-core (accessibility audit in the browser tests) at node_modules/axe-core/axe.min.js
NODE_STAMP := node_modules/.installed

.PHONY: build test serve lint check reference clean validata

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(VALIDATA_STAMP):
	$(PYTHON) -m venv $(VALIDATA)
	$(VALIDATA)/bin/pip install --quiet --ignore-requires-python validata-table==0.13.0 'numpy<2.3'
	touch $(VALIDATA_STAMP)

validata: $(VALIDATA_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

build: $(STAMP)
	$(BIN)/esr-schemas build

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

check: $(STAMP)
	$(BIN)/esr-schemas check

reference: $(STAMP)
	$(BIN)/python -m esr_schemas.reference_docs

lint: $(STAMP)
	$(BIN)/ruff check tools tests benchmarks
	$(BIN)/ruff format --check tools tests benchmarks
	$(BIN)/mypy

test: lint $(VALIDATA_STAMP) $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf site build node_modules .pytest_cache .mypy_cache .ruff_cache
