# `make compare` and `make test` are the README's two commands: each sets up .venv first.
# PYTHON: python3.12 when it runs, else a pyenv-installed 3.12.
PYTHON ?= $(shell for c in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do \
            "$$c" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { echo "$$c"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
OUT ?= results/diabetes

.PHONY: setup compare test lint clean

$(BIN)/regprior: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 not found: set PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

setup: $(BIN)/regprior

compare: setup
	@MPLBACKEND=Agg $(BIN)/regprior compare --data diabetes --prior both --alpha cv,1se --out $(OUT)

test: setup
	MPLBACKEND=Agg $(BIN)/python -m pytest -q

# ruff (lint and format, line length 100: pyproject.toml); installed by the test extra.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) results
