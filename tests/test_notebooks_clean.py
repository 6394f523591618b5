"""Every committed notebook is clean: no outputs, a Colab badge to itself, an install cell."""

import json
import shutil
import subprocess
import sys

import pytest
import tomllib
from conftest import REPO

from course_lib import REPOSITORY, publish

NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises")
                   for p in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_notebooks():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS)
    assert any("solutions" in p.parts for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_committed_without_outputs(path):
    for cell in cells(path):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, \
                f"{path.name} has outputs: strip them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_colab_badge_and_install_cell(path):
    first, *rest = cells(path)
    # Students open the released exercise, so a solution's badge points at its exercise.
    expected = str(path.relative_to(REPO)).replace("solutions/", "exercises/", 1)
    assert first["cell_type"] == "markdown" and "colab-badge.svg" in source(first)
    assert f"blob/main/{expected}" in source(first), f"the badge of {path.name} points elsewhere"
    install = next(c for c in rest if c["cell_type"] == "code")
    assert "import course_lib" in source(install) and "pip" in source(install)
    assert publish.problems(path, REPO) == [], "run `make notebooks-address`"


def test_the_address_lives_in_pyproject_and_course_lib_alike():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == REPOSITORY
    assert REPOSITORY.startswith("https://github.com/") and REPOSITORY.count("/") == 4
    assert f'REPOSITORY = "{REPOSITORY}"' in publish.install_source()


def test_stamping_another_address_rewrites_badge_and_install_cell_only(tmp_path):
    lecture = tmp_path / "notebooks" / "00_setup.ipynb"
    lecture.parent.mkdir()
    shutil.copy2(REPO / "notebooks" / "00_setup.ipynb", lecture)
    other = "https://github.com/someone/their-course"
    assert publish.problems(lecture, tmp_path, other) != []
    assert publish.stamp(lecture, tmp_path, other) and not publish.stamp(lecture, tmp_path, other)
    assert publish.problems(lecture, tmp_path, other) == []
    before, after = cells(REPO / "notebooks" / "00_setup.ipynb"), cells(lecture)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [0, 1], "only the badge and the install cell may change"
    assert "colab.research.google.com/github/someone/their-course/blob/main/notebooks/" \
           "00_setup.ipynb" in source(after[0])


def test_install_cell_fails_with_a_readable_message_when_the_address_is_unreachable(tmp_path):
    """No traceback: one line naming the address and what to do."""
    missing = f"file://{tmp_path}/no-such-repository"
    code = "import sys\nsys.modules['course_lib'] = None\n" + publish.install_source(missing)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert f"could not install course_lib from {missing}" in done.stderr
    assert "Traceback" not in done.stderr
