"""The nbgrader round trip for every assignment, driven through nbgrader itself.

- the committed exercise is exactly what `nbgrader generate_assignment` makes of the solution;
- the solution autogrades to full marks, the untouched exercise to zero;
- each typical mistake in tests/mistakes/<assignment>.py scores less than full marks.
"""

import importlib.util
import json

import pytest
from conftest import REPO

from course_lib.grading.autograde import autograde, cell_errors
from course_lib.grading.course_dir import assignments
from course_lib.grading.release import generate_exercise, notebook_fingerprint

ASSIGNMENTS = assignments(REPO)


def load_mistakes(name):
    path = REPO / "tests" / "mistakes" / f"{name}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"mistakes_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def with_cells_replaced(solution, replacements, target):
    notebook = json.loads(solution.read_text(encoding="utf-8"))
    found = set()
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell["source"] = replacements[grade_id]
            found.add(grade_id)
    assert found == set(replacements), f"no cells {set(replacements) - found} in {solution.name}"
    target.write_text(json.dumps(notebook), encoding="utf-8")
    return target


def test_every_assignment_has_an_exercise_and_mistakes():
    assert ASSIGNMENTS, "solutions/ holds no assignment"
    for name in ASSIGNMENTS:
        assert (REPO / "exercises" / name / f"{name}.ipynb").exists(), f"{name}: no exercise"
        assert len(load_mistakes(name)) >= 3, f"{name}: add typical mistakes in tests/mistakes/"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_exercise_matches_generated_release(name, tmp_path):
    fresh = generate_exercise(name, tmp_path)
    committed = REPO / "exercises" / name
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir())
    for notebook in fresh.glob("*.ipynb"):
        assert notebook_fingerprint(notebook) == notebook_fingerprint(committed / notebook.name), \
            f"exercises/{name} is out of date: run `python -m course_lib.grading.release {name}`"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograde_round_trip(name, tmp_path):
    solution = REPO / "solutions" / name / f"{name}.ipynb"
    submissions = {"solution": solution,
                   "untouched": REPO / "exercises" / name / f"{name}.ipynb"}
    mistakes = load_mistakes(name)
    for index, replacements in enumerate(mistakes.values()):
        submissions[f"mistake{index}"] = with_cells_replaced(
            solution, replacements, tmp_path / f"mistake{index}.ipynb")
    grades = autograde(name, submissions, tmp_path / "course")
    totals = grades.groupby("student")[["score", "max_score"]].sum()
    full = totals.loc["solution", "max_score"]
    assert full > 0 and totals.loc["solution", "score"] == full, \
        grades[grades.student == "solution"].to_string()
    assert cell_errors(tmp_path / "course", name, "solution") == [], \
        "the solution raises in an ungraded cell"
    assert totals.loc["untouched", "score"] == 0, grades[grades.student == "untouched"].to_string()
    for index, mistake in enumerate(mistakes):
        score = totals.loc[f"mistake{index}", "score"]
        assert 0 < score < full, f"mistake {mistake!r} scored {score} of {full}"
