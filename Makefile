# zhnews — the README's two commands are `make serve` and `make test`.
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
ARTICLES ?= sample
DB       ?= news.db
PORT     ?= 8001
HOST     ?= 127.0.0.1
CORPUS   ?= ../shared/corpus

.PHONY: install test lint serve build bench clean

# The stamp is rebuilt whenever the pinned dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check zhnews plugins tests benchmarks build_db.py

test: install lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
