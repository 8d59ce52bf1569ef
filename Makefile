# The README's first two commands: `make export` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: export test lint install bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

export: $(STAMP)
	$(VENV)/bin/classifieds export seeds/ --out data/

test: $(STAMP)
	$(VENV)/bin/ruff check classifieds tests bench
	$(VENV)/bin/ruff format --check classifieds tests bench
	$(VENV)/bin/mypy classifieds
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) data/ .mypy_cache .pytest_cache .ruff_cache
