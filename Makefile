# The two commands of the quick start: `make report` and `make test`. Both create .venv when it is missing and
# install the package with everything it needs from pyproject.toml; both can be run again at any time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CASE ?= karish
PYTEST_ARGS ?=

.PHONY: setup report lint test lab voila clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

report: setup
	@$(BIN)/sat report $(CASE)

# The gates: ruff lint (rules in pyproject.toml) and mypy (strict on the core; see [tool.mypy] in pyproject.toml).
lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# pytest exits 5 when it collects no test at all; say so plainly instead of failing with make's generic error.
test: setup lint
	@$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks $(PYTEST_ARGS); \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; \
	exit $$status

lab: setup
	$(BIN)/jupyter lab notebooks

voila: setup
	$(BIN)/voila notebooks/ach/ach_editor.ipynb

clean:
	rm -rf $(VENV) reports .pytest_cache
