# dangqun — two commands: `make dev` (run locally) and `make test` (the whole suite).
# Each installs what is missing first: uv (from PyPI, with pip), Python deps (uv.lock), Node
# tooling (package-lock.json: osls, DynamoDB Local, graphql-schema-linter, playwright-core);
# `make test` also installs Debian's headless Chromium for the dashboard's browser test.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_PYTHON_DOWNLOADS := never

.PHONY: dev test browser lint schema-lint schema-release hotline-client unit integration integration-local e2e infra bench schema package deps clean

deps: .venv/.synced node_modules/.installed

$(UV):
	$(PYTHON) -m pip install --user --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The browser of the dashboard's test (tests/e2e/test_dashboard_browser.py): Debian's chromium,
# driven by playwright-core (which downloads no browser of its own), and a Chinese font so the
# test's screenshot is legible. apt-get needs root: sudo when not root.
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && \
	  $$SUDO apt-get install -y --no-install-recommends chromium fonts-wqy-microhei; }

dev: deps
	$(UV) run python -m api.cli dev

test: deps browser lint schema-lint
	$(UV) run pytest tests/unit tests/contract tests/integration tests/e2e tests/test_schema.py -q
	DANGQUN_TEST_BACKEND=local $(UV) run pytest tests/contract tests/integration tests/e2e -q
	$(UV) run pytest tests/infra -q

lint: deps
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

# Descriptions on every type, field, argument, input field and enum value; Relay connections.
# Rules and the reasons for the ones turned off: graphql-schema-linter.config.js.
schema-lint: deps
	npx --no-install graphql-schema-linter

schema: deps
	$(UV) run strawberry export-schema schema.schema:schema --output schema/schema.graphql

# The typed client of the 12345 hotline, generated from the schema and its operations with
# ariadne-codegen, which lives in a uv project of its own (clients/codegen: see why there).
hotline-client: deps
	$(UV) run --project clients/codegen --frozen ariadne-codegen --config clients/codegen/pyproject.toml

# Releases the current SDL as the new baseline (docs/API.md, "Breaking changes"); a released
# file is never rewritten. Then name each breaking change in CHANGELOG.md under '## $(VERSION)'.
VERSION ?= $(shell date -u +%F)
schema-release: schema
	@test ! -e schema/releases/$(VERSION).graphql || { echo "schema/releases/$(VERSION).graphql exists: released files are not rewritten"; exit 1; }
	cp schema/schema.graphql schema/releases/$(VERSION).graphql
	@echo "Released $(VERSION): add '## $(VERSION)' to CHANGELOG.md naming every breaking change"

bench: deps
	UV=$(UV) $(UV) run python -m tests.bench.run
	$(UV) run python -m tests.bench.sweep
	$(UV) run python -m tests.bench.partners
	$(UV) run python -m tests.bench.topics
	$(UV) run python -m tests.bench.delivery
	$(UV) run python -m tests.bench.uploads
	$(UV) run python -m tests.bench.thirdparty
	$(UV) run python -m tests.bench.figures

build/layer: pyproject.toml uv.lock infra/build_layer.sh infra/compile_bytecode.sh infra/lambda_python.sh | $(UV)
	UV=$(UV) bash infra/build_layer.sh
	touch $@

# Packages offline (no AWS credentials): see infra/osls-offline-layers.js.
# The application's bytecode is recompiled every time (CPython 3.12, unchecked hashes): the
# .pyc shipped must come from the sources being packaged.
package: deps build/layer
	bash infra/compile_bytecode.sh api schema functions
	DANGQUN_PACKAGE_OFFLINE=1 npx osls package --stage $${STAGE:-dev}

clean:
	rm -rf build .serverless .pytest_cache .mypy_cache .ruff_cache
