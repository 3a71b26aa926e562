# Everyday tasks. `make test` is what CI runs (.ci/run), in a fresh virtual environment.
VENV ?= .venv
PY = $(VENV)/bin/python

.PHONY: setup test lint ci check docs bench thorough mutation

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

# Mutation testing (cosmic-ray) of the modules named in benchmarks/mutation.py; not part of CI.
# Every module within 55 minutes on two cores; MODULES="model/verdict.py knowledge/cache.py" MINUTES=20 make mutation
mutation:
	python3 -m venv $(VENV) && $(PY) -m pip install -e '.[test,mutation]'
	$(PY) benchmarks/mutation.py --total-minutes $(or $(MINUTES),55) $(MODULES)
