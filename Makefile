# cschat: `make run` serves the API with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-pg lint fmt bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cschat needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/cschat db upgrade
	$(BIN)/cschat demo seed
	$(BIN)/cschat serve --host $(HOST) --port $(PORT)

# The suite runs on every CPU (pytest-xdist), at most 4 workers: each worker has its own template
# database and every test its own copy, so workers never share rows. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto
PYTEST = $(BIN)/pytest --numprocesses=$(PYTEST_WORKERS) --maxprocesses=4

test: install
	$(PYTEST)

# The same suite against PostgreSQL (TEST_DATABASE_URL names the server; databases are created).
test-pg: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/cschat_test} $(PYTEST)

lint: install
	$(BIN)/ruff check src tests bench evals
	$(BIN)/ruff format --check src tests bench evals
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests bench evals
	$(BIN)/ruff format src tests bench evals

bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

eval: install
	$(BIN)/python -m evals.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
