# Every target creates .venv (and installs the project into it) when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-slow test-all figures golden results-table bench clean help

help:
	@echo "make run        main job: eyeblink conditioning at defaults + all figures"
	@echo "make test       default test suite (< 10 min on 2 cores)"
	@echo "make test-slow  long simulations (full-size targets, several seeds)"
	@echo "make figures    regenerate figures into figures/output/"
	@echo "make golden     re-record the reduced reference runs (after a deliberate change of the science)"
	@echo "make results-table  docs/results.md and the README's numbers from the saved default runs"
	@echo "make bench      benchmarks (bench/)"

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "needs Python >= 3.11 (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m protocols eyeblink
	$(BIN)/python -m figures

test: $(STAMP)
	$(BIN)/python -m pytest

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

test-all: $(STAMP)
	$(BIN)/python -m pytest -m "slow or not slow"

figures: $(STAMP)
	$(BIN)/python -m figures

golden: $(STAMP)
	$(BIN)/python tests/test_golden_runs.py --record

results-table: $(STAMP)
	$(BIN)/python -m figures --results-table

bench: $(STAMP)
	@mkdir -p bench/measured
	@for b in bench/bench_*.py; do echo "== $$b"; \
	  case $$b in */bench_eyeblink.py) $(BIN)/python $$b --json bench/measured/eyeblink.json || exit 1;; \
	  *) $(BIN)/python $$b || exit 1;; esac; done
	$(BIN)/python -m figures --results-table

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
