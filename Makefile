# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOW ?=

.PHONY: demo test lint example clean browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves our modules without bytecode, and where PYTHONDONTWRITEBYTECODE
# is set (this machine class) every command compiled them again: ~0.05 s of each build.
# The theme's templates are compiled too (statusmark.precompile): each audience's first
# build compiled them again, 0.28 s of each.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q plugins
	$(BIN)/python -m statusmark.precompile
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# Writes the example incidents with dates relative to now, so the demo never goes stale.
example: $(VENV)/.installed
	$(BIN)/python examples/generate.py $(if $(NOW),--now $(NOW))

demo: example
	$(BIN)/statusmark check
	$(BIN)/statusmark build --audience all
	rm -rf outbox .statusmark/demo-ledger.jsonl
	NORTHWIND_SUBSCRIBERS=examples/subscribers.csv $(BIN)/statusmark notify --dry-run --outbox outbox --ledger .statusmark/demo-ledger.jsonl
	@echo
	@echo "Built the example status site for every audience:"
	@echo "  public:          site/index.html"
	@echo "  semi-technical:  site-semi-technical/index.html"
	@echo "  technical:       site-technical/index.html"
	@echo "Wrote the notifications that would go out now (nothing was sent) to outbox/<group>/<channel>/"
	@echo "Preview it live with: $(BIN)/statusmark serve  (then open http://127.0.0.1:8000/)"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check plugins tests bench examples
	$(BIN)/ruff format --check plugins tests bench examples
	$(BIN)/mypy

# Browser tests use Debian's chromium (never `playwright install`), axe-core and the
# Nu HTML Checker from the npm registry, run with the machine's Java.
BROWSER_DEPS := build/npm/node_modules/axe-core/axe.min.js build/npm/node_modules/vnu-jar/build/dist/vnu.jar

$(BROWSER_DEPS):
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null)
	mkdir -p build/npm
	npm install --silent --no-audit --no-fund --prefix build/npm axe-core@4 vnu-jar@26

browser-deps: $(BROWSER_DEPS)

test: lint browser-deps
	$(BIN)/pytest -q

clean:
	rm -rf site site-semi-technical site-technical incidents outbox .statusmark .pytest_cache .mypy_cache .ruff_cache
