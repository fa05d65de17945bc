# `make compare` and `make test` are the README's two commands: each sets up .venv first.
# PYTHON: python3.12 when it runs, else a pyenv-installed 3.12.
PYTHON ?= $(shell for c in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do \
            "$$c" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { echo "$$c"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
OUT ?= results/diabetes
# The posterior engine of make compare: nuts, gibbs or auto (default: each model's own, NUTS for
# the twins, Gibbs for the horseshoe).
ENGINE ?=

.PHONY: setup compare test lint clean

$(BIN)/regprior: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 not found: set PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

setup: $(BIN)/regprior

compare: setup
	@MPLBACKEND=Agg $(BIN)/regprior compare --data diabetes --prior both --alpha cv,1se --sparse horseshoe $(if $(ENGINE),--engine $(ENGINE)) --out $(OUT)

test: setup
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

# ruff (lint and format, line length 100: pyproject.toml); installed by the test extra.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) results

# The documentation site, built offline into docs/_build/html: warnings are errors (-W), every
# cross-reference must resolve (-n), every page is read afresh (-E: autodoc does not notice an
# edited docstring otherwise) and the gallery's examples are executed (an unchanged example's
# output is reused).
.PHONY: docs docs-check docs-clean

$(BIN)/sphinx-build: pyproject.toml $(BIN)/regprior
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	@touch $@

docs: $(BIN)/sphinx-build
	MPLBACKEND=Agg $(BIN)/sphinx-build -b html -E -W --keep-going -n docs docs/_build/html

# The site as a browser shows it: the home page and a gallery page in headless Chromium.
docs-check: docs
	$(BIN)/python docs/check_site.py docs/_build/html

docs-clean:
	rm -rf docs/_build docs/generated docs/generated_lower docs/auto_examples docs/sg_execution_times.rst

clean: docs-clean
