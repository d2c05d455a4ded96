# make run: set up and start the app with the course and demo users loaded.
# make test: set up and run the whole test suite (installs Debian's chromium if missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format bench setup clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py import_notes content/
	@echo "Demo logins:"
	@$(BIN)/python manage.py setup_demo

# The background worker (fitting learners' FSRS parameters) runs beside the server and
# stops with it.
run: setup
	@echo "studyapp is at http://$(HOST):$(PORT)/ (log in with a demo login above; Ctrl-C stops it)"
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production stack on one machine (scripts/stack.py): HAProxy in front of two gunicorn
# app servers, PostgreSQL (DATABASE_URL, default database studyapp on 127.0.0.1), Redis
# (REDIS_URL, or one of its own) and the background worker. Installs Debian's haproxy
# (and redis-server) if missing. See the README's Deployment section.
serve: $(VENV)/.installed
	$(BIN)/python scripts/stack.py --port $(PORT)

test: $(VENV)/.installed-dev
	./scripts/install-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/import_course.py
	$(BIN)/python bench/quiz_import.py

clean:
	rm -rf $(VENV) staticfiles
