# DL Lab — the README's two commands: `make run` and `make test`.
# Each does its own set-up: a virtual environment with the pinned requirements,
# and for the tests Debian's chromium (Playwright drives it; we never download a browser).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
PORT   ?= 8501

.PHONY: run test test-fast test-browser test-backends setup browser bench warm clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

# Debian's chromium + driver for the real-browser tests (root in CI; sudo elsewhere).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; \
	fi

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: setup browser
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser and not backends"

test-browser: setup browser
	$(PY) -m pytest -m browser

test-backends: setup
	$(PY) -m pytest -m backends

bench: setup
	$(PY) bench/run_all.py

warm: setup
	$(PY) -m dl_core warm

clean:
	rm -rf $(VENV) .pytest_cache
