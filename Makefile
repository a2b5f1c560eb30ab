# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint serve scheduler db clean bench

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## make run: install, migrate the embedded SQLite database, load demo data when empty, then serve
## and run the scheduler side by side; Ctrl-C stops both.
run: db
	$(BIN)/python -m scheduler.launch --host $(HOST) --port $(PORT)

db: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) load-framework
	$(FLASK) load-questionnaires
	$(FLASK) seed-demo --if-empty

serve: $(VENV)/.installed
	$(FLASK) run --host $(HOST) --port $(PORT)

scheduler: $(VENV)/.installed
	$(FLASK) scheduler run

## make test: install the test dependencies and run the whole suite.
# One worker per core (pytest-xdist); a test file stays on one worker, so a module's world is built
# once. Every worker has its own SQLite file or PostgreSQL schema. PYTEST_WORKERS=0 runs in-process.
# pytest exits 5 when it collected no tests (e.g. a filter that matches nothing): not a failure.
PYTEST_WORKERS ?= auto
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected (exit 5)"; rc=0; fi; exit $$rc

## make lint: ruff (style, import order, known pitfalls) and mypy (types) over the code; CI runs it first.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

## make bench: the benchmark (bench/README.md); BENCH_ARGS="--size region --db postgres" for others.
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
