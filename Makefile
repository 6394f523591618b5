# The course's two commands:
#   make lab   - set everything up and open JupyterLab on the course
#   make test  - set everything up and run the whole test suite (fast profile)
# Both are idempotent: the virtual environment is rebuilt only when the pins change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup lab test lint exercises clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --notebook-dir=. notebooks/00_setup.ipynb

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" COURSE_PROFILE=fast MPLBACKEND=Agg $(BIN)/python -m pytest --nbval-lax tests notebooks solutions $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests benchmarks

# Regenerate exercises/ from solutions/ with nbgrader (commit the result).
exercises: $(STAMP)
	$(BIN)/python -m course_lib.grading.release --all

clean:
	rm -rf $(VENV) submitted autograded feedback gradebook.db
