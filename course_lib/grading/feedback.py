"""Per-student HTML feedback: nbgrader's pages, with the grader's notes on top.

``nbgrader generate_feedback`` renders each autograded notebook (scores per part, the test
output). This adds a box with the notes of :mod:`course_lib.grading.autograde` (a timeout, a
dead kernel, a restored test cell...) and writes a short page of its own for students whose
file could not be graded at all (damaged, not a notebook, another assignment).

nbgrader's pages show every test cell verbatim, hidden tests included; ``nbgrader_config.py``
puts :class:`StripHiddenTests` in its feedback pipeline, so students see only the visible
tests (and, for a failed hidden test, the error message without the code that raised it).
``write_feedback(..., keep_hidden_tests=True)`` (``course feedback --keep-hidden-tests``)
keeps them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from nbgrader.preprocessors import ClearHiddenTests

from course_lib.grading.autograde import GradingResult
from course_lib.grading.course_dir import run_nbgrader

_STYLE = ("border:2px solid #c0392b;background:#fdf2f0;padding:0.8em 1.2em;margin:1em;"
          "font-family:sans-serif")
#: nbgrader's feedback template loads no notebook CSS, so markdown tables (each assignment's
#: "part | what | points") had no cell padding and their header read "partwhat points".
TABLE_STYLE = ("<style>.rendered_html table{border-collapse:collapse;margin:0.5em 0}"
               ".rendered_html th,.rendered_html td{padding:0.25em 0.8em;"
               "border:1px solid #ccc;text-align:left}</style>")
#: The environment variable ``nbgrader_config.py`` reads: ``keep`` shows hidden tests.
HIDDEN_TESTS_ENV = "COURSE_FEEDBACK_HIDDEN_TESTS"


class StripHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: drop ``### BEGIN/END HIDDEN TESTS`` blocks from the cells and
    cut the tracebacks of cells that had one to their last line (the traceback quotes the
    hidden code)."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and self._remove_hidden_test_region(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
        return cell, resources


def notes_box(notes: list[str]) -> str:
    """The HTML box listing a student's grading notes (empty when there are none)."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return (f'<div class="grading-notes" style="{_STYLE}"><strong>Notes from the '
            f"autograder</strong><ul>{items}</ul></div>")


def _fallback_page(name: str, student: str, result: GradingResult) -> str:
    rows = result.grades[result.grades.student == student]
    table = "".join(f"<tr><td>{html.escape(r.grade_id)}</td><td>{r.score:g} / {r.max_score:g}"
                    f"</td></tr>" for r in rows.itertuples())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(name)}: "
            f"{html.escape(student)}</title></head><body><h1>{html.escape(name)}</h1>"
            f"<p>Feedback for {html.escape(student)}. Your submission could not be run.</p>"
            f"{notes_box(result.notes.get(student, []))}<table>{table}</table></body></html>")


def write_feedback(name: str, result: GradingResult, workdir: Path, out_dir: Path,
                   env: dict[str, str] | None = None, keep_hidden_tests: bool = False
                   ) -> dict[str, Path]:
    """Write ``out_dir/<student>.html`` for every student in ``result``; return the paths.

    ``workdir`` is the grading folder of :func:`~course_lib.grading.autograde.grade_submissions`
    (one ``nbgrader generate_feedback`` run per worker course in it). Hidden tests are left
    out of the pages unless ``keep_hidden_tests``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**(env or {}), HIDDEN_TESTS_ENV: "keep" if keep_hidden_tests else "strip"}
    for course in sorted(Path(workdir).glob("worker*")):
        try:
            run_nbgrader(course, "generate_feedback", name, "--force", env=env)
        except RuntimeError:
            pass  # students nbgrader could not render get the fallback page below
    pages = {}
    for student in sorted(set(result.grades.student)):
        target = out_dir / f"{student}.html"
        found = sorted(Path(workdir).glob(f"worker*/feedback/{student}/{name}/{name}.html"))
        if found:
            page = found[0].read_text(encoding="utf-8")
            box = notes_box(result.notes.get(student, []))
            page = re.sub(r"(<body[^>]*>)", lambda m, box=box: m.group(1) + box, page, count=1)
            page = page.replace("</head>", TABLE_STYLE + "</head>", 1)
            target.write_text(page, encoding="utf-8")
        else:
            target.write_text(_fallback_page(name, student, result), encoding="utf-8")
        pages[student] = target
    return pages
