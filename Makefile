# Two commands: `make run` starts the shop, `make test` checks it. Both set everything up first.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Installs come from hash-pinned locks (requirements/*.lock, compiled by uv from pyproject.toml and
# requirements/*.in): the same versions on every machine, in CI and in the image. `make lock` updates them.
LOCK   := requirements/dev.lock
UV_LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) $(if $(PACKAGE),--upgrade-package $(PACKAGE))
APP_LOCK := $(UV_LOCK) --universal --python-version 3.11 pyproject.toml requirements/build.in

.PHONY: run test setup lock lock-check compose-check browser db rasa rasa-model lint typecheck importlint pytest clean

run: setup db
	$(BIN)/chatshop seed --demo --if-empty
	$(BIN)/chatshop run

test: setup lock-check compose-check browser db rasa-model lint typecheck importlint pytest

setup: $(STAMP)

# Exactly the locked versions (hash-checked), then the project itself without resolving anything again.
$(STAMP): $(LOCK) pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing dependencies in pyproject.toml or requirements/*.in: `make lock` (keeps every other pin;
# UPGRADE=1 moves everything to the newest allowed versions, PACKAGE=name just that one). Commit the locks.
lock: $(STAMP)
	$(APP_LOCK) --extra dev -o requirements/dev.lock
	$(APP_LOCK) -c requirements/dev.lock -o requirements/main.lock
	$(UV_LOCK) --python-version 3.10 --python-platform x86_64-manylinux_2_28 requirements/rasa.in -o requirements/rasa.lock
	$(BIN)/python requirements/check.py

# pyproject.toml and the locks agree (offline, well under a second).
lock-check: setup
	$(BIN)/python requirements/check.py

# docker-compose.yml against the compose specification's JSON schema, vendored (no network; about a second).
compose-check: setup
	$(BIN)/check-jsonschema --schemafile deploy/compose-spec.schema.json docker-compose.yml

# The browser tests drive Debian's chromium (Playwright's own browser download needs the internet);
# a CJK font draws the Chinese chat (without one every Chinese word is a row of empty boxes); poppler-utils'
# pdftotext reads the console's pick lists and packing slips back (those checks are skipped without it).
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/wqy ] && command -v pdftotext >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei poppler-utils; \
	  else echo "browser tests need chromium, a CJK font and pdftotext: sudo apt-get install -y chromium fonts-wqy-microhei poppler-utils"; fi; }

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

# domain/ strictly (pyproject); the rest with mypy's defaults, which found a console page that could not page on.
typecheck: setup
	$(BIN)/mypy domain
	$(BIN)/mypy admin_api bots channels chatshop nlu

importlint: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm .mypy_cache .ruff_cache
