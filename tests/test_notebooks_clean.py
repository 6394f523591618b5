"""Every committed notebook is clean: no outputs, a Colab badge to itself, an install cell."""

import json

import pytest
from conftest import REPO

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
    assert "import course_lib" in source(install) and "pip install" in source(install)
