# The two set-up commands are `make run` and `make test`; both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := bot handlers conversations db domain

.PHONY: run test console messages compile check-messages migration bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## the bot: web chat on http://127.0.0.1:8080, Telegram/Zalo when tokens are set
	$(BIN)/giamngheo run

test: $(STAMP)  ## the whole test suite (PostgreSQL too where TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -q

console: $(STAMP)
	$(BIN)/giamngheo console

messages: $(STAMP)  ## extract msgids from the code and add new ones to every catalog
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k N_ \
		-o locales/giamngheo.pot $(SOURCES)
	$(BIN)/pybabel update -i locales/giamngheo.pot -d locales -D giamngheo \
		--no-fuzzy-matching --ignore-obsolete

compile: $(STAMP)  ## check the catalogs compile (the bot reads the .po files directly)
	$(BIN)/pybabel compile -d locales -D giamngheo --statistics

migration: $(STAMP)  ## make migration m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

bench: $(STAMP)  ## benchmarks (not part of the test suite)
	for b in bench/*/run.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
