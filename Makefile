# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STATIC := backend/maillage/static/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/package.json -type f 2>/dev/null)

.PHONY: run test install frontend api bench clean

run: $(VENV)/.installed $(STATIC)
	$(BIN)/maillage db upgrade
	$(BIN)/maillage demo seed --if-empty
	MAILLAGE_DEFAULT_NETWORK=$${MAILLAGE_DEFAULT_NETWORK:-pantin} $(BIN)/maillage serve --demo --port $(PORT)

test: $(VENV)/.installed-test $(STATIC) tests/oidc/node_modules/.installed
	cd frontend && npm run --silent api:check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The OpenID Connect provider of the sign-in tests (npm oidc-provider).
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC): frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

frontend: $(STATIC)

# Regenerate the OpenAPI document and the TypeScript client after an API change.
api: $(VENV)/.installed frontend/node_modules/.installed
	$(BIN)/maillage openapi --out frontend/src/api/openapi.json
	cd frontend && npm run --silent api:generate

bench: $(VENV)/.installed
	$(BIN)/maillage bench search

clean:
	rm -rf $(VENV) frontend/node_modules backend/maillage/static
