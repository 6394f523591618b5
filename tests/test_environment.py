"""The environment files agree, and the README's two commands are wired as promised."""

import re

import tomllib
from conftest import REPO


def requirement_pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_requirements_and_environment_yml_pin_the_same_versions():
    pip_pins = requirement_pins((REPO / "requirements.txt").read_text().splitlines())
    conda_pins = requirement_pins((REPO / "environment.yml").read_text().splitlines())
    assert pip_pins, "requirements.txt pins nothing"
    assert pip_pins == conda_pins


def test_frameworks_are_pinned_for_make():
    pins = requirement_pins((REPO / "requirements.txt").read_text().splitlines())
    assert pins["torch"] == "2.13.0" and pins["tensorflow"] == "2.21.0"
    assert pins["keras"].startswith("3.")
    for tool in ("jupyterlab", "nbval", "nbgrader", "pytest", "matplotlib", "pandas", "tqdm"):
        assert tool in pins, f"{tool} is not pinned in requirements.txt"


def test_installing_the_package_never_replaces_torch_or_tensorflow():
    """Colab already has GPU builds: `pip install course-lib` must not pull others."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[ ;]", dep)[0].lower() for dep in project["dependencies"]}
    assert not names & {"torch", "tensorflow", "keras", "tensorflow-cpu"}
    assert project["scripts"]["course"] == "course_lib.cli:main"


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "COURSE_DATA_DIR" in ci
    readme = (REPO / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "requirements.txt" in makefile
