"""Collect a class's submissions and make each one safe to hand to nbgrader, or say why not.

Two layouts are understood (the folder may also hold a ``submitted/`` folder in the first):

- nbgrader's: ``<folder>/<student>/<assignment>/*.ipynb``;
- flat, as an LMS or Colab exports them: ``<folder>/<student>.ipynb`` (a trailing
  ``" (1)"`` or ``_<assignment>`` in the name is dropped from the student id).

:func:`prepare` checks one student's files and writes the notebook nbgrader will grade:
not JSON, JSON but no notebook, another assignment's notebook: not run, zero points and a
note. Test cells that were deleted are put back from the source and edited ones are noted
(nbgrader restores their source). With several files, the newest gradable one counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Notebooks larger than this are not parsed (the released exercises are ~20 kB).
MAX_BYTES = 50 << 20


@dataclass
class Submission:
    """One student's work: the notebook to grade (None: nothing gradable) and notes on it."""

    student: str
    notebook: Path | None
    notes: list[str] = field(default_factory=list)


def student_id(raw: str) -> str:
    """A student id nbgrader and file systems accept: letters, digits, ``._@-``."""
    cleaned = re.sub(r"[^A-Za-z0-9._@-]+", "_", raw.strip()).strip("._")
    return cleaned or "unnamed"


def find_submissions(folder: Path, name: str) -> dict[str, list[Path]]:
    """Map each student id to their notebook files for ``name`` (see the module's layouts)."""
    folder = Path(folder)
    if (folder / "submitted").is_dir():
        folder = folder / "submitted"
    found: dict[str, list[Path]] = {}
    for notebook in sorted(folder.glob(f"*/{name}/*.ipynb")):
        found.setdefault(student_id(notebook.parent.parent.name), []).append(notebook)
    for notebook in sorted(folder.glob("*.ipynb")):
        stem = re.sub(r"\s*\(\d+\)$", "", notebook.stem)
        stem = re.sub(rf"[_-]{re.escape(name)}$", "", stem)
        found.setdefault(student_id(stem), []).append(notebook)
    return found


def graded_cells(notebook: dict) -> list[dict]:
    """The nbgrader cells (with a ``grade_id``) of a notebook, in order."""
    return [cell for cell in notebook.get("cells", [])
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")]


def _grade_id(cell: dict) -> str:
    return cell["metadata"]["nbgrader"]["grade_id"]


def _is_test(cell: dict) -> bool:
    meta = cell["metadata"]["nbgrader"]
    return bool(meta.get("grade")) and not meta.get("solution") and cell["cell_type"] == "code"


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """The notebook at ``path`` (nbformat 4), or None and what is wrong with the file."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, f"{path.name} is {size / 2**20:.0f} MB, more than a notebook can be"
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as err:
        return None, f"{path.name} could not be read ({err.strerror or err})"
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        # json's messages may end in "at" ("Unterminated string starting at"): no "at at".
        return None, (f"{path.name} is not valid JSON ({err.msg.removesuffix(' at')} at line "
                      f"{err.lineno}, column {err.colno}): the "
                      "file is damaged or not a notebook; re-download it from Jupyter/Colab")
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as err:  # nbformat raises several unrelated types  # noqa: BLE001
        reason = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        return None, f"{path.name} is JSON but not a Jupyter notebook ({reason})"
    return notebook, ""


#: Code that reaches into the kernel or the checks; it can make failing tests look passed
#: (nbgrader runs tests in the student's own kernel), so such cells are flagged for a human.
TAMPERING = re.compile(r"get_ipython|transform_cell|run_cell|sys\.modules|__builtins__|"
                       r"\bbuiltins\b|settrace|setprofile|showtraceback|excepthook|"
                       r"checks\.\w+(\.\w+)*\s*=[^=]|\bexpect\s*=[^=]")


def tampering_notes(notebook) -> list[str]:
    """Notes for student code cells that touch kernel internals (see ``TAMPERING``)."""
    notes = []
    for index, cell in enumerate(notebook.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked"):
            continue
        match = TAMPERING.search(cell.source)
        if match:
            where = f"cell {index}" + (f" ({meta['grade_id']})" if meta.get("grade_id") else "")
            notes.append(f"{where} uses {match.group(0).strip()!r}, which can hide failing "
                         "tests: check this notebook by hand")
    return notes


def _visible(source: str) -> str:
    """A test cell's source without its hidden tests (students never see those)."""
    return re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", source,
                  flags=re.DOTALL).strip()


def _restore_tests(notebook, source: dict, notes: list[str]) -> None:
    """Put deleted test cells back after their predecessor; note edited ones."""
    present = {_grade_id(c): c for c in graded_cells(notebook)}
    order = [_grade_id(c) for c in graded_cells(source)]
    for cell in graded_cells(source):
        grade_id = _grade_id(cell)
        if not _is_test(cell):
            continue
        if grade_id in present:
            if _visible(present[grade_id]["source"]) != _visible(cell["source"]):
                notes.append(f"test cell {grade_id} was edited; graded with the original")
            continue
        earlier = [g for g in order[:order.index(grade_id)] if g in present]
        position = (notebook.cells.index(present[earlier[-1]]) + 1) if earlier else 0
        notebook.cells.insert(position, nbformat.from_dict(cell))
        present[grade_id] = notebook.cells[position]
        notes.append(f"test cell {grade_id} was deleted; restored from the assignment")


def which_assignment(notebook, others: dict[str, dict]) -> str | None:
    """The name of the assignment in ``others`` sharing the most grade ids with ``notebook``."""
    ids = {_grade_id(c) for c in graded_cells(notebook)}
    scores = {name: len(ids & {_grade_id(c) for c in graded_cells(nb)})
              for name, nb in others.items()}
    best = max(scores, key=scores.get, default=None)
    return best if best and scores[best] else None


def prepare(student: str, files: list[Path], name: str, source: dict, out_dir: Path,
            others: dict[str, dict] | None = None) -> Submission:
    """Check ``files`` (one student's) against the assignment ``source`` and write the
    notebook to grade as ``out_dir/<student>.ipynb``; see the module docstring."""
    notes: list[str] = []
    files = sorted(files, key=lambda p: (p.stat().st_mtime if p.exists() else 0, p.name),
                   reverse=True)
    if len(files) > 1:
        notes.append(f"{len(files)} submissions ({', '.join(p.name for p in files)}); "
                     "the newest gradable one counts")
    expected = {_grade_id(c) for c in graded_cells(source)}
    for path in files:
        notebook, problem = read_notebook(path)
        if notebook is not None:
            ids = {_grade_id(c) for c in graded_cells(notebook)}
            if len(ids & expected) * 2 < len(expected):
                other = which_assignment(notebook, others or {})
                problem = (f"{path.name} is not assignment {name}"
                           + (f" (it looks like {other})" if other else
                              " (its graded cells are missing or belong to another notebook)")
                           + "; not run")
                notebook = None
        if notebook is None:
            notes.append(problem)
            continue
        if len(files) > 1:
            notes.append(f"graded {path.name}")
        _restore_tests(notebook, source, notes)
        notes += tampering_notes(notebook)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{student}.ipynb"
        nbformat.write(notebook, target)
        return Submission(student, target, notes)
    return Submission(student, None, notes)
