# Two commands on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA ?= ../shared/data

.PHONY: site test lint golden eval bench serve clean browser-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

site: $(VENV)/.installed
	$(PY) -m digest build --content content --output public

test: $(VENV)/.installed-test
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check digest tests eval benchmarks
	$(VENV)/bin/ruff format --check digest tests eval benchmarks
	$(VENV)/bin/mypy

$(VENV)/.installed-eval: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[eval]'
	touch $@

# Figures on real third-party data (never committed): DATA=../shared/data by default.
eval: $(VENV)/.installed-eval
	$(PY) eval/folding.py $(DATA)
	$(PY) eval/summaries.py $(DATA)
	$(PY) eval/ingest.py $(DATA)

# What tests/browser needs besides Debian's chromium and a Java runtime (.ci/run installs
# those): vnu-jar and axe-core pinned by package-lock.json (--ignore-scripts: vnu-jar's
# postinstall would download a JDK), and the Playwright Python package, which drives
# /usr/bin/chromium; never `playwright install`, which downloads a browser of its own.
PLAYWRIGHT ?= playwright==1.65.2

browser-deps: node_modules/.installed $(VENV)/.installed-browser

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed-browser: $(VENV)/.installed-test Makefile
	$(PY) -m pip install -q '$(PLAYWRIGHT)'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[bench]'
	touch $@

# Timings against Hugo and Pelican on one generated corpus; writes benchmarks/results/
# and docs/performance.md. The full run takes about an hour on a 2-core machine.
bench: $(VENV)/.installed-bench
	$(PY) benchmarks/run.py

serve: $(VENV)/.installed
	$(PY) -m digest serve

golden: $(VENV)/.installed-test
	$(PY) -m pytest tests/golden --update-golden

clean:
	rm -rf public .digest-cache
