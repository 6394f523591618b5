"""Autograde submitted notebooks with ``nbgrader autograde`` and return the scores as a table.

Students are split among a few worker copies of the course (each with its own gradebook), so
grading uses every core and one worker's trouble cannot block the others.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from course_lib.grading.course_dir import run_nbgrader, scratch_course

#: What graded runs see: the fast profile, and TensorFlow's C++ logs hidden (nbgrader fails
#: a test cell that writes anything to stderr).
GRADING_ENV = {"COURSE_PROFILE": "fast", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
COLUMNS = ["student", "grade_id", "score", "max_score"]


def _grade_worker(course: Path, name: str, submissions: dict[str, Path],
                  env: dict[str, str]) -> list[dict]:
    """Autograde some students in one worker copy of the course; return their grade rows."""
    from nbgrader.api import Gradebook

    for student, notebook in submissions.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebook, folder / f"{name}.ipynb")
    run_nbgrader(course, "autograde", name, "--create", env=env)
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            for notebook in gradebook.find_submission(name, student).notebooks:
                rows += [{"student": student, "grade_id": grade.name,
                          "score": float(grade.score), "max_score": float(grade.max_score)}
                         for grade in notebook.grades]
    return rows


def cell_errors(workdir: Path, name: str, student: str) -> list[str]:
    """Error names raised anywhere in a student's autograded notebook (graded cells or not)."""
    found = sorted(Path(workdir).glob(f"worker*/autograded/{student}/{name}/{name}.ipynb"))
    if not found:
        raise FileNotFoundError(f"no autograded notebook of {student!r} for {name} in {workdir}")
    notebook = json.loads(found[0].read_text(encoding="utf-8"))
    return [output.get("ename", "error") for cell in notebook["cells"]
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def autograde(name: str, submissions: dict[str, Path], workdir: Path,
              env: dict[str, str] | None = None, workers: int | None = None) -> pd.DataFrame:
    """Grade each student's notebook for assignment ``name``; one row per graded cell.

    ``submissions`` maps a student id to the notebook they handed in. Grading happens in
    ``workdir`` (scratch courses: config, source, gradebooks); the result has the columns
    ``student, grade_id, score, max_score``. ``workers`` defaults to the number of cores.
    """
    workdir = Path(workdir)
    template = scratch_course(workdir / "template", [name])
    run_nbgrader(template, "generate_assignment", name, "--force")
    students = list(submissions)
    workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
    chunks = [students[i::workers] for i in range(workers)]
    courses = []
    for index in range(workers):
        course = workdir / f"worker{index}"
        shutil.copytree(template, course)
        courses.append(course)
    grading_env = {**GRADING_ENV, **(env or {})}
    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda job: _grade_worker(
            job[0], name, {s: Path(submissions[s]) for s in job[1]}, grading_env),
            zip(courses, chunks))
        rows = [row for chunk_rows in results for row in chunk_rows]
    return pd.DataFrame(rows, columns=COLUMNS)
