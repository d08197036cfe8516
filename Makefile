# The two set-up commands are `make run` and `make test`; both create .venv on first use.
# `make messages` extracts the msgids into a temporary template (its header is marked fuzzy, as
# every fresh template's is) and deletes it once the catalogs are updated: nothing unreviewed
# stays in locales/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := bot handlers conversations db domain

.PHONY: run test test-clone demo console messages compile check-messages migration bench fuzz clean \
	explore

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## the bot: web chat on http://127.0.0.1:8080, Telegram/Zalo when tokens are set
	$(BIN)/giamngheo run

test: $(STAMP)  ## the whole test suite (PostgreSQL too where TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -q

demo: $(STAMP)  ## the web chat on example data, every role; its own file var/giamngheo-demo.db
	$(BIN)/giamngheo run --demo

test-scale: $(STAMP)  ## several processes on PostgreSQL at issue 17's sizes (TEST_DATABASE_URL)
	SCALE_TESTS_FULL=1 $(BIN)/python -m pytest -q tests/bot/test_scale_out.py

console: $(STAMP)
	$(BIN)/giamngheo console

messages: $(STAMP)  ## extract msgids from the code and add new ones to every catalog
	@pot=$$(mktemp --suffix=.pot) && trap 'rm -f "$$pot"' EXIT && \
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k N_ \
		-o "$$pot" $(SOURCES) && \
	$(BIN)/pybabel update -i "$$pot" -d locales -D giamngheo \
		--no-fuzzy-matching --ignore-obsolete --width 99

compile: $(STAMP)  ## check the catalogs compile (the bot reads the .po files directly)
	$(BIN)/pybabel compile -d locales -D giamngheo --statistics

migration: $(STAMP)  ## make migration m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

bench: $(STAMP)  ## benchmarks (not part of the test suite)
	for b in bench/*/run.py; do $(BIN)/python $$b || exit 1; done

fuzz: $(STAMP)  ## hostile input through the core: 100,000 events (HOSTILE_EVENTS=N to change)
	HOSTILE_EVENTS=$${HOSTILE_EVENTS:-100000} HOSTILE_PROGRESS=10000 HOSTILE_DB_DIR=$$(test -d /dev/shm && echo /dev/shm) \
		$(BIN)/python -m pytest tests/hostile/test_fuzz.py -q -s -p no:randomly -p no:cacheprovider

clean:
	rm -rf $(VENV) build *.egg-info

explore: $(STAMP)  ## the dialog explorer's wide walk (the test suite runs a bounded one)
	EXPLORE_FULL=1 $(BIN)/python -m pytest -q -s tests/test_explorer.py

test-clone: $(STAMP)  ## the channel tests in a copy of the tracked files with nothing beside it
	rm -rf var/clone && mkdir -p var/clone
	git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C var/clone
	cd var/clone && env -u TELEGRAM_API_SPEC -u PYTHONPATH ../../$(BIN)/python -m pytest -q -p no:cacheprovider tests/channels
