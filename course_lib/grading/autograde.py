"""Autograde a class's notebooks with ``nbgrader autograde``; one bad notebook costs only its
owner.

Students are split among a few worker copies of the course (each with its own gradebook), so
grading uses every core and one worker's trouble cannot block the others. Each worker is one
``nbgrader autograde`` run over its students (cells run under ``grading.sandbox``); a student
nbgrader still fails on is retried alone, then gets zero with a note, and the batch goes on.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd
from tqdm.auto import tqdm

from course_lib.grading import sandbox
from course_lib.grading.course_dir import assignments, course_root, run_nbgrader, scratch_course
from course_lib.grading.intake import Submission, prepare, student_id

#: What graded runs see: the fast profile, and TensorFlow's C++ logs hidden (nbgrader fails
#: a test cell that writes anything to stderr).
GRADING_ENV = {"COURSE_PROFILE": "fast", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
COLUMNS = ["student", "grade_id", "score", "max_score"]


@dataclass
class GradingResult:
    """Scores (one row per student and graded part, ``COLUMNS``) and notes per student."""

    grades: pd.DataFrame
    notes: dict[str, list[str]] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # graded parts in notebook order


def _autograded(course: Path, name: str, student: str) -> Path:
    return course / "autograded" / student / name / f"{name}.ipynb"


def _run_autograde(course: Path, name: str, env: dict[str, str], timeout: float,
                   student: str | None = None) -> str:
    """One ``nbgrader autograde`` run; its failures are reported per student, not raised."""
    args = ["autograde", name, "--create"] + ([f"--student={student}"] if student else [])
    try:
        return run_nbgrader(course, *args, env=env, timeout=timeout).stderr
    except RuntimeError as err:
        return str(err)
    except Exception as err:  # noqa: BLE001  (a hung run: subprocess.TimeoutExpired)
        return f"nbgrader stopped: {err}"


def _last_error(log: str, student: str) -> str:
    lines = [ln for ln in log.splitlines() if "rror" in ln and student in ln] or \
            [ln for ln in log.splitlines() if "Error" in ln]
    return lines[-1].strip()[:200] if lines else "see the nbgrader log"


def _grade_worker(course: Path, name: str, submissions: dict[str, Path], env: dict[str, str],
                  budget: float) -> tuple[list[dict], dict[str, list[str]]]:
    """Autograde some students in one worker copy of the course; return rows and notes."""
    from nbgrader.api import Gradebook

    for student, notebook in submissions.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebook, folder / f"{name}.ipynb")
    log = _run_autograde(course, name, env, budget * max(1, len(submissions)))
    notes: dict[str, list[str]] = {}
    for student in submissions:
        if not _autograded(course, name, student).exists():
            retry = _run_autograde(course, name, env, budget, student)
            if not _autograded(course, name, student).exists():
                notes[student] = [f"nbgrader could not grade this notebook: "
                                  f"{_last_error(retry or log, student)}"]
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            if student in notes:
                continue
            for notebook in gradebook.find_submission(name, student).notebooks:
                rows += [{"student": student, "grade_id": grade.name,
                          "score": float(grade.score), "max_score": float(grade.max_score)}
                         for grade in notebook.grades]
    return rows, notes


def execution_notes(notebook_path: Path) -> list[str]:
    """Plain-language notes on what went wrong while a graded notebook ran (timeouts, a dead
    kernel, the memory cap, output cut), one per event, naming the cell."""
    notebook = nbformat.read(notebook_path, as_version=4)  # joins multi-line texts
    notes = []
    for index, cell in enumerate(notebook["cells"], start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id, is_test = meta.get("grade_id"), meta.get("grade") and not meta.get("solution")
        where = f"cell {index}" + (f" ({grade_id})" if grade_id else "")
        for output in cell.get("outputs", []):
            ename = output.get("ename")
            if ename in (sandbox.TIMEOUT, sandbox.KERNEL_DIED):
                notes.append(f"{where}: {output.get('evalue', ename)}")
            elif ename == "MemoryError":
                notes.append(f"{where}: ran out of memory (the grading kernel's limit)")
            elif ename and ename not in (sandbox.NOT_RUN, "KeyboardInterrupt") and not is_test:
                notes.append(f"{where} raised {ename}: {output.get('evalue', '')[:120]}")
            elif output.get("output_type") == "stream" and sandbox.OUTPUT_CUT in output.get(
                    "text", ""):
                notes.append(f"{where}: printed too much; the output was cut")
    return notes


def cell_errors(workdir: Path, name: str, student: str) -> list[str]:
    """Error names raised anywhere in a student's autograded notebook (graded cells or not)."""
    found = sorted(Path(workdir).glob(f"worker*/autograded/{student}/{name}/{name}.ipynb"))
    if not found:
        raise FileNotFoundError(f"no autograded notebook of {student!r} for {name} in {workdir}")
    notebook = json.loads(found[0].read_text(encoding="utf-8"))
    return [output.get("ename", "error") for cell in notebook["cells"]
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def _graded_count(courses: list[Path], name: str) -> int:
    """How many students the workers have finished so far (their autograded notebooks)."""
    return sum(len(list(course.glob(f"autograded/*/{name}/{name}.ipynb"))) for course in courses)


def graded_parts(release: Path) -> dict[str, float]:
    """Each graded cell's id and points in a released notebook, in notebook order."""
    notebook = nbformat.read(release, as_version=4)
    return {cell.metadata.nbgrader.grade_id: float(cell.metadata.nbgrader.get("points", 0))
            for cell in notebook.cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade")}


def grade_submissions(name: str, submissions: dict[str, Path | list[Path]], workdir: Path,
                      env: dict[str, str] | None = None, workers: int | None = None,
                      root: Path | None = None, cell_budget: float = 900,
                      progress: bool = True) -> GradingResult:
    """Grade each student's notebook(s) for assignment ``name`` and say what went wrong.

    ``submissions`` maps a student id to the notebook(s) they handed in (see
    :func:`course_lib.grading.intake.find_submissions`). Grading happens in ``workdir``
    (scratch courses: config, source, gradebooks, autograded notebooks); ``root`` is the
    course holding ``solutions/`` (default: this repository). ``env`` adds environment
    variables (``COURSE_GRADING_TIMEOUT`` and friends, see ``nbgrader_config.py``).
    ``cell_budget`` bounds one notebook's whole nbgrader run, in seconds. ``progress`` shows a
    bar that advances as each student's notebook is graded.
    """
    unsafe = [student for student in submissions if student != student_id(student)]
    if unsafe:
        raise ValueError(f"student ids must be letters, digits and ._@- (see intake.student_id):"
                         f" {unsafe}")
    workdir = Path(workdir)
    template = scratch_course(workdir / "template", [name], root=root)
    run_nbgrader(template, "generate_assignment", name, "--force")
    release = template / "exercises" / name / f"{name}.ipynb"
    parts = graded_parts(release)
    source = nbformat.read(release, as_version=4)
    base = Path(root) if root is not None else course_root()
    others = {other: nbformat.read(base / "solutions" / other / f"{other}.ipynb", as_version=4)
              for other in assignments(base) if other != name}
    prepared: list[Submission] = []
    for student, files in submissions.items():
        try:
            prepared.append(prepare(student, [Path(p) for p in (
                files if isinstance(files, list) else [files])], name, source,
                workdir / "intake", others))
        except Exception as err:  # noqa: BLE001  (unreadable file, broken link...)
            prepared.append(Submission(student, None, [f"could not read the submission: "
                                                       f"{type(err).__name__}: {err}"]))
    notes = {s.student: list(s.notes) for s in prepared}
    gradable = {s.student: s.notebook for s in prepared if s.notebook is not None}
    students = list(gradable)
    rows: list[dict] = []
    if students:
        workers = max(1, min(workers or os.cpu_count() or 1, len(students)))
        chunks = [students[i::workers] for i in range(workers)]
        courses = []
        for index in range(workers):
            course = workdir / f"worker{index}"
            shutil.copytree(template, course)
            courses.append(course)
        grading_env = {**GRADING_ENV, **(env or {})}
        with ThreadPoolExecutor(workers) as pool, tqdm(
                total=len(students), desc=f"grading {name}", unit="student",
                disable=not progress) as bar:
            jobs = [pool.submit(_grade_worker, course, name, {s: gradable[s] for s in chunk},
                                grading_env, cell_budget)
                    for course, chunk in zip(courses, chunks, strict=True)]
            pending = set(jobs)
            while pending:
                _, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                bar.update(min(len(students), _graded_count(courses, name)) - bar.n)
            bar.update(len(students) - bar.n)
            results = [job.result() for job in jobs]
        for course, (chunk_rows, failures) in zip(courses, results, strict=True):
            rows += chunk_rows
            for student, failure in failures.items():
                notes[student] += failure
            graded = {row["student"] for row in chunk_rows}
            for student in graded:
                notes[student] += execution_notes(_autograded(course, name, student))
    graded = {row["student"] for row in rows}
    for student in submissions:
        if student not in graded:
            rows += [{"student": student, "grade_id": part, "score": 0.0, "max_score": points}
                     for part, points in parts.items()]
    return GradingResult(pd.DataFrame(rows, columns=COLUMNS), notes, list(parts))


def autograde(name: str, submissions: dict[str, Path], workdir: Path,
              env: dict[str, str] | None = None, workers: int | None = None) -> pd.DataFrame:
    """Grade each student's notebook for assignment ``name``; one row per graded cell.

    ``submissions`` maps a student id to the notebook they handed in. Grading happens in
    ``workdir`` (scratch courses: config, source, gradebooks); the result has the columns
    ``student, grade_id, score, max_score``; ``.attrs["notes"]`` holds the notes per student
    (see :func:`grade_submissions`). ``workers`` defaults to the number of cores.
    """
    result = grade_submissions(name, submissions, workdir, env=env, workers=workers)
    result.grades.attrs["notes"] = result.notes
    return result.grades
