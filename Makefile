# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test install install-dev browser demo bench

run: install
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: install-dev browser
	PY=$(PY) bash scripts/run-tests.sh

install: $(VENV)/.installed-app

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-app: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-app
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's chromium drives the browser tests (playwright cannot download its own browser here).
browser:
	@test -x /usr/bin/chromium || bash scripts/install-chromium.sh

demo: install
	$(PY) -m cxdata demo --replace

bench: install-dev
	$(PY) -m cxdata bench
