# The course's two commands:
#   make lab   - set everything up and open JupyterLab on the course
#   make test  - set everything up and run the whole test suite (fast profile)
# Both are idempotent: the virtual environment is rebuilt only when the pins change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Test processes (pytest-xdist). --dist loadscope keeps each notebook's cells, and each test
# module, in one process, in order, as nbval needs. Each process, and each notebook kernel it
# starts, computes on one thread: with more threads than cores, the small models' many tiny
# operations wait for each other (a toy-GAN cell of lecture 04 took 343 s; on one thread, 13 s).
TEST_WORKERS ?= 2
TEST_THREADS ?= 1
# JupyterLab refuses to start as root (containers, Colab-like boxes) without --allow-root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test lint exercises notebooks-address clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(LAB_ARGS) --notebook-dir=. notebooks/00_setup.ipynb

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" COURSE_PROFILE=fast MPLBACKEND=Agg \
	  OMP_NUM_THREADS=$(TEST_THREADS) TF_NUM_INTRAOP_THREADS=$(TEST_THREADS) \
	  $(BIN)/python -m pytest --nbval-lax -n $(TEST_WORKERS) --dist loadscope tests notebooks $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests benchmarks

# Regenerate exercises/ from solutions/ with nbgrader (commit the result).
exercises: $(STAMP)
	$(BIN)/python -m course_lib.grading.release --all

# Stamp the repository address (course_lib.REPOSITORY) into every notebook's Colab badge and
# install cell, then regenerate exercises/ (run after changing the address; commit the result).
notebooks-address: $(STAMP)
	$(BIN)/python -m course_lib.publish
	$(BIN)/python -m course_lib.grading.release --all

clean:
	rm -rf $(VENV) submitted autograded feedback gradebook.db
