"""Per-student HTML feedback: nbgrader's pages, with the grader's notes on top.

``nbgrader generate_feedback`` renders each autograded notebook (scores per part, the test
output). This adds a box with the notes of :mod:`course_lib.grading.autograde` (a timeout, a
dead kernel, a restored test cell...) and writes a short page of its own for students whose
file could not be graded at all (damaged, not a notebook, another assignment).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from course_lib.grading.autograde import GradingResult
from course_lib.grading.course_dir import run_nbgrader

_STYLE = ("border:2px solid #c0392b;background:#fdf2f0;padding:0.8em 1.2em;margin:1em;"
          "font-family:sans-serif")


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
                   env: dict[str, str] | None = None) -> dict[str, Path]:
    """Write ``out_dir/<student>.html`` for every student in ``result``; return the paths.

    ``workdir`` is the grading folder of :func:`~course_lib.grading.autograde.grade_submissions`
    (one ``nbgrader generate_feedback`` run per worker course in it).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
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
            target.write_text(page, encoding="utf-8")
        else:
            target.write_text(_fallback_page(name, student, result), encoding="utf-8")
        pages[student] = target
    return pages
