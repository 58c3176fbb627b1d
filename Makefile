# Set-up and everyday commands. Every target installs the locked environment into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EDITIONS ?= utrecht-2019 utrecht-2023
PORT ?= 8000

.PHONY: book all test lint serve lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# the package's own bytecode, written once: where PYTHONDONTWRITEBYTECODE is set (as on CI),
	# every command and worker would compile it again (0.2 s each); an edited module is recompiled
	$(BIN)/python -m compileall -q src
	touch $@

SHARED_LAYER := ../shared/data/cbs/wijken_2024.geojson

## book: build Utrecht's editions (2019 and 2023) into book/utrecht-2019/ and book/utrecht-2023/; their
## district maps come from the CBS layer beside the checkout when that is there (CBS data, not committed)
book: $(STAMP)
	if [ -f $(SHARED_LAYER) ]; then $(BIN)/kansrijk grenzen GM0344 $(SHARED_LAYER); fi
	$(BIN)/kansrijk build $(EDITIONS)

AXE := tests/browser/node_modules/axe-core/axe.min.js

## axe-core for the accessibility test, from npm (package-lock.json pins it)
$(AXE): tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --silent
	touch $@

## test: lint and run the whole test suite (the accessibility test needs npm for axe-core)
test: $(STAMP)
	if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(AXE); fi
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests

## serve: serve book/ on http://127.0.0.1:$(PORT)/
serve:
	$(PYTHON) -m http.server --directory book --bind 127.0.0.1 $(PORT)

## lock: resolve pyproject.toml's ranges into requirements.lock (needs the package registry)
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet ".[test]"
	$(VENV)-lock/bin/python -m pip freeze --exclude-editable | grep -v '^kansrijk' > requirements.lock
	rm -rf $(VENV)-lock

clean:
	rm -rf book/*/ book/index.html book/.failed book/.staging
