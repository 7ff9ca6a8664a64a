# The two commands of the quick start: `make report` and `make test`. Both create .venv when it is missing and
# install the package with everything it needs from pyproject.toml; both can be run again at any time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CASE ?= karish
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per core (auto), at most four; TEST_JOBS=0 runs in one process.
TEST_JOBS ?= auto

.PHONY: setup hub-env report lint test lab voila clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

# A course hub (docs/deployment.md) runs every user's server as that user, so the hub and the workbook live in an
# environment every account can run, built from Debian's Python (the project's .venv may sit in root's home):
# JupyterHub, NativeAuthenticator and the workbook from pip, configurable-http-proxy from npm. `make test` builds it
# when run as root with npm present (the hub test needs root to create Unix accounts; it skips otherwise).
HUB_ENV ?= /opt/sat-hub-env
HUB_PYTHON ?= /usr/bin/python3
CHP_VERSION := 5.3.0
HUB_STAMP := $(HUB_ENV)/.installed-stamp
CAN_HUB := $(and $(filter 0,$(shell id -u)),$(shell command -v npm),$(wildcard $(HUB_PYTHON)))

$(HUB_STAMP): pyproject.toml $(shell find src -type f -name '*.py')
	$(HUB_PYTHON) -m venv $(HUB_ENV)
	$(HUB_ENV)/bin/python -m pip install --quiet --upgrade pip
	$(HUB_ENV)/bin/python -m pip install --quiet '.[hub]'
	$(HUB_ENV)/bin/python -m pip install --quiet --force-reinstall --no-deps .
	npm install --silent --no-audit --no-fund --prefix $(HUB_ENV)/node configurable-http-proxy@$(CHP_VERSION)
	ln -sf ../node/node_modules/.bin/configurable-http-proxy $(HUB_ENV)/bin/configurable-http-proxy
	@touch $(HUB_STAMP)

hub-env: $(HUB_STAMP)

report: setup
	@$(BIN)/sat report $(CASE)

# The gates: ruff lint and format (rules in pyproject.toml) and mypy (strict on the core; see [tool.mypy] in pyproject.toml).
lint: setup
	$(BIN)/ruff check --no-cache src tests benchmarks
	$(BIN)/ruff format --no-cache --check src tests benchmarks conftest.py deploy
	$(BIN)/mypy

# pytest exits 5 when it collects no test at all; say so plainly instead of failing with make's generic error.
# Tests that must share a worker (a notebook's cells share one kernel) are grouped by conftest.py.
# Python's bytecode caches (__pycache__, git-ignored) are written even when PYTHONDONTWRITEBYTECODE is set: without
# them every worker, kernel and subprocess of the suite compiles the test modules and re-applies pytest's assertion
# rewriting to its plugins' packages, about 2 s of CPU per pytest process (benchmarks/README.md, "Test suite").
# tests/lean_start.py loads before the installed plugins (its docstring says why).
test: setup lint $(if $(CAN_HUB),hub-env)
	@SAT_HUB_ENV=$(HUB_ENV) PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -p tests.lean_start \
	  -n $(TEST_JOBS) --maxprocesses 4 --dist loadgroup \
	  --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks $(PYTEST_ARGS); \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; \
	exit $$status

lab: setup
	$(BIN)/jupyter lab notebooks

voila: setup
	$(BIN)/voila notebooks/ach/ach_editor.ipynb

clean:
	rm -rf $(VENV) reports .pytest_cache
