# Practicum: `make run` starts the site, `make test` runs the whole suite.
# Both set everything up themselves on a fresh machine (virtualenv, packages,
# database, broker); see README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format format-templates browser screenshots bench bench-cluster mutation reliability clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: $(STAMP) ## Start web server, Celery worker and beat with demo content (Ctrl-C stops)
	$(PY) scripts/run.py

browser: ## Make sure Debian's chromium is installed (for the browser journeys)
	@$(PYTHON) scripts/chromium.py

test: $(STAMP) browser ## The import layers, then the whole test suite on PostgreSQL, Redis, a Celery worker and Chromium
	$(VENV)/bin/lint-imports --no-logo
	$(PY) scripts/test.py $(ARGS)

test-fast: $(STAMP) ## The import layers and the suite without the browser journeys
	$(VENV)/bin/lint-imports --no-logo
	$(PY) scripts/test.py -n 2 --ignore=tests/browser $(ARGS)

lint: $(STAMP) ## ruff check and format check, the import layers, djLint's rules and formatting on the templates
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	@# '$$^' matches no path: the rules also cover the templates pyproject.toml leaves unformatted.
	$(VENV)/bin/djlint templates --lint --extend-exclude '$$^'
	$(VENV)/bin/djlint templates --check

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

format-templates: $(STAMP) ## Reformat the templates with djLint (settings in pyproject.toml)
	$(VENV)/bin/djlint templates --reformat

screenshots: $(STAMP) browser ## Regenerate the screenshots in docs/screenshots/
	DOCS_SCREENSHOT_DIR=docs/screenshots $(PY) scripts/test.py tests/browser -k screenshots $(ARGS)

bench: $(STAMP) ## Run the benchmarks and rewrite docs/benchmarks.md
	$(PY) benchmarks/run_all.py

bench-cluster: $(STAMP) ## Two web and two worker hosts in network namespaces behind HAProxy (root; docs/benchmarks.md)
	$(PY) benchmarks/cluster.py $(ARGS)

mutation: $(STAMP) ## Mutation testing of the core rule modules (mutmut, slow; results in docs/reliability.md)
	rm -rf mutants
	$(PY) scripts/mutation.py

reliability: $(STAMP) ## The fault drills at full scale; rewrites their figures in docs/reliability.md
	$(PY) benchmarks/reliability.py

clean: ## Remove build output and local state (keeps .venv)
	rm -rf var media private_media static_collected mutants .pytest_cache .ruff_cache .import_linter_cache test-artifacts .services
