# Two commands for a fresh machine (Linux, Python 3.11): `make book` and `make test`.
# The first use creates .venv and installs requirements.txt plus cnnlib (editable).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
# The browser the site tests drive (Debian's chromium; another Chromium build works too).
export CHROMIUM ?= /usr/bin/chromium

.PHONY: book test outputs student chromium clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

## book: execute every chapter and build the HTML book into _build/html (fails on any warning)
book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

## test: build the book, then run unit tests, notebooks (nbval) and browser tests on the site
test: book chromium
	$(BIN)/python -m pytest

## outputs: re-record the stored outputs of NBVAL_CHECK_OUTPUT cells after an intended change
outputs: $(STAMP)
	$(BIN)/python tools/record_outputs.py chapters/*.ipynb assignments/*.ipynb

## student: student copies of every notebook (solutions removed, outputs cleared) in student/
student: $(STAMP)
	$(BIN)/python tools/student_copies.py student

## chromium: Debian's headless browser for the site tests (installed when missing, needs root)
chromium:
	@test -x $(CHROMIUM) || { apt-get update -q && apt-get install -y -q chromium; }

clean:
	rm -rf _build
