# DL Lab — the README's two commands: `make run` and `make test`.
# Each does its own set-up: a virtual environment with the pinned requirements,
# and for the tests Debian's chromium (Playwright drives it; we never download a browser).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
PORT   ?= 8501

.PHONY: run test test-fast test-browser test-backends setup browser deploy-deps bench warm clean \
        classroom classroom-stop classroom-status

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

# Debian's nginx for `make classroom` (and its browser test); only the binary is used, with a
# config of our own in the run folder: the system's nginx site is left as it is.
deploy-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; \
	fi

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: setup browser deploy-deps
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser and not backends"

test-browser: setup browser deploy-deps
	$(PY) -m pytest -m browser

test-backends: setup
	$(PY) -m pytest -m backends

bench: setup
	$(PY) bench/run_all.py

warm: setup
	$(PY) -m dl_core warm

# A class: REPLICAS Streamlit replicas behind nginx (sticky sessions) on PORT, trainings on a local
# Ray head (see README, "Running for a class"). Runs in the background until `make classroom-stop`.
REPLICAS ?= 2
classroom: setup deploy-deps
	REPLICAS=$(REPLICAS) PORT=$(PORT) deploy/classroom.sh start

classroom-stop:
	deploy/classroom.sh stop

classroom-status:
	deploy/classroom.sh status

clean:
	rm -rf $(VENV) .pytest_cache
