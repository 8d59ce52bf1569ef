# The README's first two commands: `make export` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# `make export` needs the package alone; `make test` (and docs, bench) add the dev tools.
RUNTIME := $(VENV)/.runtime-$(SUM)
STAMP := $(VENV)/.dev-$(SUM)

.PHONY: export test docs install bench clean

$(RUNTIME): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.runtime-* && touch $@

$(STAMP): $(RUNTIME)
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.dev-* && touch $@

install: $(STAMP)

export: $(RUNTIME)
	$(VENV)/bin/classifieds export seeds/ --out data/
	$(VENV)/bin/classifieds summary data/

# docs/prices.png and docs/towns.png, the README's charts, drawn from an export of seeds/ into a
# temporary folder. The PNGs embed the figures they show; tests/test_docs.py fails when they are
# no longer those of seeds/: rerun `make docs` and commit the images.
docs: $(STAMP)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(VENV)/bin/classifieds export seeds/ --out "$$tmp/data" --quiet >/dev/null && \
	$(VENV)/bin/classifieds summary "$$tmp/data" --plot docs/prices.png && \
	$(VENV)/bin/classifieds summary "$$tmp/data" --by town --plot docs/towns.png >/dev/null

test: $(STAMP)
	$(VENV)/bin/ruff check classifieds tests bench scripts
	$(VENV)/bin/ruff format --check classifieds tests bench scripts
	$(VENV)/bin/mypy classifieds
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) data/ .mypy_cache .pytest_cache .ruff_cache

# Benchmark against the lean scan, on pool corpora of PAGES pages and an all-unique corpus of
# UNIQUE pages; the corpora are generated once under bench/corpus.
PAGES ?= 10000 40000 100000
UNIQUE ?= 25000
REPEAT ?= 3
bench: $(STAMP)
	$(PY) bench/run.py $(PAGES) --unique $(UNIQUE) --repeat $(REPEAT)
