# Two commands for a new user: `make run` and `make test`. Everything else here is what they need.
# Rasa 3.6 supports Python <= 3.10 only, so it gets its own venv; the gateway and tests use Python 3.11.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv shims for a version that is not the global one fail, so fall back to the interpreters themselves.
find_python = $(firstword $(foreach c,$(1) $(wildcard $(HOME)/.pyenv/versions/$(2)*/bin/$(1)) $(wildcard /usr/bin/$(1)) $(wildcard /usr/local/bin/$(1)),$(shell $(c) -c 'import sys; print("ok") if sys.version_info[:2] == ($(subst .,$(comma),$(2))) else None' 2>/dev/null | grep -q ok && echo $(c))))
comma := ,
PYTHON311 ?= $(call find_python,python3.11,3.11)
PYTHON310 ?= $(call find_python,python3.10,3.10)

APP_VENV := .venv
RASA_VENV := .venv-rasa
PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/assistant.tar.gz
TRAINING_FILES := bot/config.yml $(wildcard bot/components/*.py bot/domain/*.yml data/nlu/*.yml data/nlu/*/*.yml data/rules/*.yml data/stories/*.yml)
RASA_DATA := --domain bot/domain --data data/nlu data/rules data/stories --config bot/config.yml
CHROMIUM := /usr/bin/chromium
# Rasa imports the project's own NLU component (bot/components) by module path.
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup run migrate test checks lint types validate nlu-accuracy redaction-rates real-writing pytest train bench browser-deps clean models purge danger-threshold worker

help:
	@echo "make run    start the assistant (web chat on http://localhost:8000/)"
	@echo "make test   lint, types, Rasa data validation, NLU accuracy, unit, conversation and browser tests"
	@echo "make train | make bench | make lint | make clean | make models LANGS=\"pl ro\" | make worker ORG= EMAIL= ROLE="

$(APP_VENV)/.installed: requirements/app.lock
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found (set PYTHON311=/path/to/python3.11)"; exit 1; }
	$(PYTHON311) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install --quiet -r requirements/app.lock
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (set PYTHON310=/path/to/python3.10)"; exit 1; }
	$(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet -r requirements/rasa.lock
	touch $@

setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed

# Retrained only when the bot's data or config changed.
# Training must converge: a ConvergenceWarning fails the build instead of being silenced.
$(MODEL): $(TRAINING_FILES) $(RASA_VENV)/.installed
	mkdir -p models
	$(RASA) train $(RASA_DATA) --out models --fixed-model-name assistant --quiet 2>&1 | tee models/train.log; test $${PIPESTATUS[0]} -eq 0
	@! grep -q "failed to converge" models/train.log || { echo "NLU training did not converge (models/train.log): raise max_iter in bot/config.yml"; rm -f $@; exit 1; }
	touch $@

train: $(MODEL)

# The two venvs install side by side (CI and most laptops have two cores or more), then the model trains if needed.
run:
	@$(MAKE) --no-print-directory -j2 --output-sync=target setup $(MODEL)
	@$(PY) -m api.stack

# Debian's Chromium and fonts for the browser tests (never a browser download).
browser-deps:
	@test -x $(CHROMIUM) && fc-list | grep -qi "Noto Sans Bengali" || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk >/dev/null; \
	  else echo "Install Debian's chromium, fonts-noto-core and fonts-noto-cjk (as root)"; exit 1; fi; }

lint: $(APP_VENV)/.installed
	$(APP_VENV)/bin/ruff check api actions bot tests bench
	$(APP_VENV)/bin/ruff format --check api actions bot tests bench

types: $(APP_VENV)/.installed
	$(APP_VENV)/bin/mypy api actions

validate: $(RASA_VENV)/.installed
	$(RASA) data validate $(RASA_DATA) --quiet

nlu-accuracy: $(MODEL)
	$(RASA_VENV)/bin/python tests/nlu/evaluate.py --model $(MODEL) --min-accuracy 0.9 --min-accuracy-other 0.5 $(sort $(wildcard tests/nlu/heldout_*.yml))

pytest: setup $(MODEL) browser-deps
	$(APP_VENV)/bin/pytest

# Recall and precision on each language's own sets, then on the held-out sets per language x style. The first
# run trains the redaction's clause classifier (seconds) and caches it in models/.
redaction-rates: $(APP_VENV)/.installed
	$(PY) -m tests.privacy.rates
	$(PY) -m tests.privacy.heldout

# Danger recall, danger first, false danger, intent accuracy and her language on realistic writing the model never
# saw (tests/nlu/realistic/), per language x style, through a real Rasa server and the gateway (a few minutes).
real-writing: setup $(MODEL)
	$(PY) -m tests.nlu.real_writing

# What needs no running stack runs two at a time (the venvs side by side, then training beside lint, types and the
# redaction rates); the suites that start Rasa servers and time their replies then run one after the other, alone.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target checks
	@$(MAKE) --no-print-directory real-writing pytest

checks: setup $(MODEL) browser-deps lint types validate nlu-accuracy redaction-rates

# The database schema at the newest revision: once per deployment (make run does it before it starts the gateway;
# a gateway never migrates by itself, so replicas cannot race). The secret only satisfies the settings here.
migrate: $(APP_VENV)/.installed
	INTERNAL_SECRET=$${INTERNAL_SECRET:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')} $(PY) -m api.cli migrate

# Deletes handovers past HANDOVER_RETENTION_DAYS and idle Rasa trackers (the gateway also does it every minute).
purge: migrate
	INTERNAL_SECRET=$${INTERNAL_SECRET:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')} $(PY) -m api.cli purge

# A support-worker account: make worker ORG=harbour EMAIL=you@example.org ROLE=admin (asks for the password,
# prints the TOTP secret for an authenticator app once). ORG is a service in data/services.yml that takes handovers.
worker: migrate
	@test -n "$(ORG)" -a -n "$(EMAIL)" -a -n "$(ROLE)" || { echo 'usage: make worker ORG=harbour EMAIL=you@example.org ROLE=worker|admin'; exit 2; }
	INTERNAL_SECRET=$${INTERNAL_SECRET:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')} $(PY) -m api.cli create-worker --org "$(ORG)" --email "$(EMAIL)" --role "$(ROLE)"

# Offline translation packages: make models LANGS="pl ro". Local files in models/argos/ first, else the argos index.
models: $(APP_VENV)/.installed
	@test -n "$(LANGS)" || { echo 'usage: make models LANGS="pl ro ..."'; exit 2; }
	$(PY) -m api.cli install-models $(LANGS)

# How the danger threshold in bot/config.yml was chosen: a validation split of the training data (minutes).
danger-threshold: $(RASA_VENV)/.installed $(APP_VENV)/.installed
	$(RASA_VENV)/bin/python bench/danger_threshold.py
	$(PY) -m bench.danger_ensemble

bench: setup $(MODEL)
	$(PY) -m bench.conversations
	$(PY) -m bench.language
	$(PY) -m bench.redaction
	$(PY) -m bench.danger_sentences
	$(PY) -m bench.reliability
	$(PY) -m bench.nlu_models

clean:
	rm -rf models/*.tar.gz var .pytest_cache .mypy_cache .ruff_cache test-output
