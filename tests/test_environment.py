"""The environment files agree, and the README's two commands are wired as promised."""

import ast
import os
import re
import subprocess
import sys

import pytest
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


#: Import names whose distribution is called something else.
DISTRIBUTION = {"PIL": "pillow", "IPython": "ipython"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_of_course_lib_is_declared():
    """`pip install course-lib` (plus its extras) brings everything the package imports."""
    imported = set()
    for path in (REPO / "course_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {_normal(DISTRIBUTION.get(name, name)) for name in imported
                   if name not in sys.stdlib_module_names and name != "course_lib"}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    names = {_normal(re.split(r"[<>=!~\[ ;]", dep)[0]) for dep in declared}
    assert "tokenizers" in third_party, "the AST walk missed unit 07's tokenizer"
    assert third_party - names == set(), "imported by course_lib but not declared in pyproject"


def test_ipywidgets_floor_keeps_colabs_preinstalled_7x():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (widgets,) = [d for d in project["dependencies"] if d.startswith("ipywidgets")]
    floor = re.search(r">=\s*(\d+)", widgets)
    assert floor and int(floor.group(1)) <= 7, f"{widgets} would replace Colab's ipywidgets 7.7"


@pytest.mark.parametrize("uid", ["0", "1000"])
def test_make_lab_allows_root_only_as_root(uid, tmp_path):
    """JupyterLab refuses to run as root without --allow-root; `make lab` adds it then."""
    fake = tmp_path / "id"
    fake.write_text(f"#!/bin/sh\necho {uid}\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    shown = subprocess.run(["make", "-n", "lab"], cwd=REPO, env=env, capture_output=True,
                           text=True, check=True).stdout
    (lab,) = [line for line in shown.splitlines() if "jupyter lab" in line]
    assert ("--allow-root" in lab) == (uid == "0"), lab
