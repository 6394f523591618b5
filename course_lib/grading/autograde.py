"""Autograde submitted notebooks with ``nbgrader autograde`` and return the scores as a table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from course_lib.grading.course_dir import run_nbgrader, scratch_course

#: What graded runs see: the fast profile, and TensorFlow's C++ logs hidden (nbgrader fails
#: a test cell that writes anything to stderr).
GRADING_ENV = {"COURSE_PROFILE": "fast", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}


def autograde(name: str, submissions: dict[str, Path], workdir: Path,
              env: dict[str, str] | None = None) -> pd.DataFrame:
    """Grade each student's notebook for assignment ``name``; one row per graded cell.

    ``submissions`` maps a student id to the notebook they handed in. Grading happens in
    ``workdir`` (a scratch course: config, source, gradebook); columns of the result are
    ``student, grade_id, score, max_score``.
    """
    from nbgrader.api import Gradebook

    course = scratch_course(Path(workdir), [name])
    run_nbgrader(course, "generate_assignment", name, "--force")
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebook, folder / f"{name}.ipynb")
    run_nbgrader(course, "autograde", name, "--create", env={**GRADING_ENV, **(env or {})})
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            submission = gradebook.find_submission(name, student)
            for notebook in submission.notebooks:
                rows += [{"student": student, "grade_id": grade.name,
                          "score": float(grade.score), "max_score": float(grade.max_score)}
                         for grade in notebook.grades]
    return pd.DataFrame(rows, columns=["student", "grade_id", "score", "max_score"])
