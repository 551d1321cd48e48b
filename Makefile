# `make run` and `make test` each do their own set-up on a fresh Debian machine (see README).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test venv system-deps test-system-deps directory-up directory-down lint clean

run: venv system-deps
	@bash scripts/run.sh "$(HOST)" "$(PORT)"

test: venv test-system-deps
	@bash scripts/test.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

system-deps:
	@bash scripts/system-deps.sh run

test-system-deps:
	@bash scripts/system-deps.sh test

directory-up: venv system-deps
	@$(PY) scripts/devdirectory.py up

directory-down:
	@test ! -x $(PY) || $(PY) scripts/devdirectory.py down

lint: venv
	@$(VENV)/bin/ruff check .

clean: directory-down
	rm -rf var build *.egg-info
