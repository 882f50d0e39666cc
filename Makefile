# Two entry points for a fresh machine: `make build` and `make test`.
# Each creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core (accessibility audit in the browser tests) at node_modules/axe-core/axe.min.js
NODE_STAMP := node_modules/.installed

.PHONY: build test serve lint check reference clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

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

test: lint $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf site build node_modules .pytest_cache .mypy_cache .ruff_cache
