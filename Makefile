# Two commands: `make run` starts the shop, `make test` checks it. Both set everything up first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup browser db rasa rasa-model lint typecheck importlint pytest clean

run: setup db
	$(BIN)/chatshop seed --demo --if-empty
	$(BIN)/chatshop run

test: setup browser db rasa-model lint typecheck importlint pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser tests drive Debian's chromium (Playwright's own browser download needs the internet).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "browser tests need chromium: sudo apt-get install -y chromium"; fi; }

# Rasa runs in its own Python 3.10 virtualenv (it can't share ours). `make rasa` installs it, trains the
# model only when the NLU data or config changed (cached by their hash) and serves it on 127.0.0.1:5005;
# then CHATSHOP_RASA_URL=http://127.0.0.1:5005 switches the shop's NLU to it.
rasa:
	nlu/rasa/serve.sh

# With CHATSHOP_TEST_RASA=1 the tests include a real Rasa server: build (or reuse) its model first.
rasa-model:
	@if [ "$${CHATSHOP_TEST_RASA:-}" = 1 ]; then nlu/rasa/setup.sh; fi

db: setup
	$(BIN)/chatshop db upgrade

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy domain

importlint: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm .mypy_cache .ruff_cache
