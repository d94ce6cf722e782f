# Two commands for a new user: `make run` and `make test`. Everything else is their parts.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ARCHIVE_DATA_DIR ?= $(CURDIR)/var
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_RUN := fonts-nanum tesseract-ocr tesseract-ocr-kor
APT_TEST := fonts-nanum chromium tesseract-ocr tesseract-ocr-kor postgresql-15

.PHONY: run test test-fast install install-test system-deps system-deps-test lint bench bench-search bench-load sample clean catalogs messages screenshots

# The interface's gettext catalogs (translations/<lang>/LC_MESSAGES/messages.po), compiled to .mo
# by every target that serves or tests (the .mo files are build output, not in git).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

# The worker (background jobs: web uploads, reindex, index catch-up) runs beside gunicorn and is
# stopped (SIGTERM: it finishes the job under way, up to 60 s) when gunicorn stops.
run: install system-deps
	$(BIN)/flask --app app ingest --if-empty data/sample-batch
	$(BIN)/flask --app app ocr || echo "ocr: some scans could not be read (above); the rest are searchable"
	@echo "Yeollam: http://127.0.0.1:5000  (store: $(ARCHIVE_DATA_DIR)); jobs: flask --app app worker"
	$(BIN)/flask --app app worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - 'app:create_app()'

test: install-test system-deps-test catalogs
	$(BIN)/ruff check .
	$(BIN)/python -W error::SyntaxWarning -m pytest -q

# The quick loop while working: what is not marked slow, on SQLite and tantivy, in two processes
# (a file's tests in one, so its module fixtures are built once). `make test` is the whole truth.
test-fast: install-test catalogs
	$(BIN)/ruff check .
	$(BIN)/python -W error::SyntaxWarning -m pytest -q -m "not slow" -n 2 --dist loadfile

install: $(VENV)/.installed catalogs
install-test: $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

catalogs: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -l $* -i $<

# After changing interface strings: extract them again and merge into both catalogs (then translate
# the new English entries; tests/web/test_i18n.py fails until every one is).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l --ignore-dirs='.* __pycache__' --no-location \
		--sort-output --project=Yeollam -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# docs/screenshots/*.png of the home, search, record and statistics pages over the sample batch
# (Playwright + Debian's chromium), so the README's pictures stay true.
screenshots: install-test system-deps-test catalogs
	$(BIN)/python tools/screenshots.py docs/screenshots

# Debian packages: a Korean font for PDF renditions; Tesseract with Korean data for OCR of scans;
# Chromium for the browser tests.
system-deps:
	@dpkg -s $(APT_RUN) >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(APT_RUN))

system-deps-test:
	@dpkg -s $(APT_TEST) >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(APT_TEST))

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python bench/extract.py

bench-search: install-test
	$(BIN)/python bench/search.py --ingest 1000 --records 10000

bench-load: install-test
	$(BIN)/python bench/load.py

# Rebuild data/sample-batch from data/sample-src and data/sample_records.py.
sample: install system-deps
	$(BIN)/python data/build_sample.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
