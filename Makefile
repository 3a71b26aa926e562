# Everyday tasks. `make test` is what CI runs (.ci/run), in a fresh virtual environment.
VENV ?= .venv
PY = $(VENV)/bin/python

.PHONY: setup test lint ci check docs bench thorough

setup:
	python3 -m venv $(VENV) && $(PY) -m pip install -e '.[test]'

test: setup
	$(PY) -m pytest

lint:
	python3 -m venv $(VENV) && $(PY) -m pip install -e '.[test,lint]'
	$(VENV)/bin/ruff check src tests benchmarks && $(VENV)/bin/mypy

thorough: setup
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest tests/properties

ci:
	bash .ci/run

check: setup
	$(VENV)/bin/igfrules check

docs: setup
	$(VENV)/bin/igfrules docs -o docs/knowledge-base.md

bench: setup
	$(PY) benchmarks/bench.py
