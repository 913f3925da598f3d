# 장터 Jangteo — everything a newcomer and CI need, from a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench lint format clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Start the whole platform on the embedded defaults (migrates and loads demo data once).
run: install
	$(VENV)/bin/jangteo run

## The test suite: real PostgreSQL/Redis when JANGTEO_TEST_* URLs are set, embedded otherwise.
test: install
	$(VENV)/bin/pytest

## Benchmarks: tables on stdout, JSON under var/bench/.
bench: install
	$(PY) -m tests.bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
