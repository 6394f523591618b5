"""Batch autograding survives broken and hostile submissions, each costing only its owner.

A tiny assignment (three plain-Python parts, no ML imports) is written into a scratch
course; one class of bad submissions goes through `course grade` and `course feedback` once
(one nbgrader run per worker), and every test below reads that one result.
"""

from __future__ import annotations

import contextlib
import errno
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import REPO
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.cli import main
from course_lib.grading.feedback import write_feedback
from course_lib.grading.gradebook import load_result
from course_lib.grading.intake import find_submissions, read_notebook, student_id
from course_lib.grading.sandbox import network_isolation_available

PARTS = {  # solution cell, its test cell, the test's points
    "add": ("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
            "assert add(2, 3) == 5", 1),
    "square": ("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
               "assert square(4) == 16\n### BEGIN HIDDEN TESTS\nassert square(-3) == 9\n"
               "### END HIDDEN TESTS", 2),
    "words": ("def count_words(text):\n    ### BEGIN SOLUTION\n    return len(text.split())\n"
              "    ### END SOLUTION", "assert count_words('a b  c') == 3", 3),
}
TIMEOUT_S, MEMORY_MB = 4, 1500
WORDS = "def count_words(text):\n    return len(text.split())"
CHEAT = ("ip = get_ipython()\nreal = ip.transform_cell\n"
         "ip.transform_cell = lambda cell: 'pass\\n' if 'assert' in cell else real(cell)\n"
         "add = max")
STUBBORN = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"


def tiny_assignment(prefix: str = "") -> nbformat.NotebookNode:
    """The assignment as nbgrader source: a solution cell and a locked test cell per part."""
    def meta(grade_id, **flags):
        return {"nbgrader": {"schema_version": 3, "grade_id": prefix + grade_id,
                             "task": False, **flags}}

    cells = [new_markdown_cell("# Tiny assignment\n\n| part | what | points |\n| --- | --- | --- |"
                               "\n| 1 | add | 1 |"), new_code_cell("import math")]
    for part, (solution, test, points) in PARTS.items():
        cells.append(new_code_cell(solution, metadata=meta(part, grade=False, solution=True,
                                                           locked=False)))
        cells.append(new_code_cell(test, metadata=meta(f"test_{part}", grade=True,
                                                       solution=False, locked=True,
                                                       points=points)))
    notebook = new_notebook(cells=cells)
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    return notebook


def edited(notebook: dict, grade_id: str, source: str | None) -> dict:
    """A copy of ``notebook`` with one cell's source replaced (None: the cell deleted)."""
    notebook = json.loads(json.dumps(notebook))
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            if source is None:
                del notebook["cells"][index]
            else:
                cell["source"] = source
            return notebook
    raise KeyError(grade_id)


# student: (their notebook from the solution `s` and the other assignment `o`,
#           expected scores of test_add, test_square, test_words, a phrase of their notes)
CASES = {
    "good": (lambda s, o: s, (1, 2, 3), None),
    "not_json": (lambda s, o: "{not json", (0, 0, 0), "not valid JSON"),
    "not_notebook": (lambda s, o: {"hello": "world"}, (0, 0, 0), "not a Jupyter notebook"),
    "raises": (lambda s, o: edited(s, "add", "raise ValueError('no idea')"), (0, 2, 3),
               "raised ValueError"),
    "endless_loop": (lambda s, o: edited(s, "square", "while True:\n    pass"), (1, 0, 3),
                     f"longer than the {TIMEOUT_S} s grading limit"),
    "deleted_test": (lambda s, o: edited(edited(s, "add", "def add(a, b):\n    return a - b"),
                                         "test_add", None), (0, 2, 3),
                     "test cell test_add was deleted; restored"),
    # Passes the visible test, fails the hidden one (square(-3) == 9).
    "hidden_fail": (lambda s, o: edited(s, "square", "def square(x):\n    return x * abs(x)"),
                    (1, 0, 3), None),
    "edited_test": (lambda s, o: edited(edited(s, "square", "def square(x):\n    return 2 * x"),
                                        "test_square", "pass"), (1, 0, 3),
                    "test cell test_square was edited"),
    "loud": (lambda s, o: edited(s, "words", "print('x' * 5_000_000)\n" + WORDS), (1, 2, 3),
             "printed too much"),
    "ignores_interrupt": (lambda s, o: edited(s, "square", STUBBORN), (1, 0, 0),
                          "ignored the interrupt"),
    "calls_exit": (lambda s, o: edited(s, "square", "exit()"), (1, 0, 0), "called exit()"),
    "kills_kernel": (lambda s, o: edited(s, "words", "import os\nos.kill(os.getpid(), 9)"),
                     (1, 2, 0), "the kernel died"),
    "memory_hog": (lambda s, o: edited(s, "square", "hog = bytearray(3 << 30)"), (1, 0, 3),
                   "ran out of memory"),
    # Tests run in the student's own kernel, so this cheat passes them (nbgrader cannot stop
    # it); it must at least be flagged for a human.
    "cheat": (lambda s, o: edited(edited(s, "add", CHEAT), "square", "square = abs"),
              (1, 2, 3), "check this notebook by hand"),
    "wrong_assignment": (lambda s, o: o, (0, 0, 0), "not assignment tiny (it looks like other)"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the whole class once through the command line; return the output folder."""
    tmp = tmp_path_factory.mktemp("robustness")
    root = tmp / "course"
    root.mkdir()
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for name, prefix in (("tiny", ""), ("other", "other_")):
        (root / "solutions" / name).mkdir(parents=True)
        nbformat.write(tiny_assignment(prefix), root / "solutions" / name / f"{name}.ipynb")
    solution = json.loads((root / "solutions/tiny/tiny.ipynb").read_text())
    other = json.loads((root / "solutions/other/other.ipynb").read_text())
    submissions = tmp / "downloads"
    submissions.mkdir()
    for student, (make, _, _) in CASES.items():
        content = make(solution, other)
        (submissions / f"{student}.ipynb").write_text(
            content if isinstance(content, str) else json.dumps(content))
    # Two files of one student: the older one wrong, the newer (a browser's " (1)") right.
    (submissions / "twice.ipynb").write_text(json.dumps(edited(solution, "add", "add = min")))
    os.utime(submissions / "twice.ipynb", (1e9, 1e9))
    (submissions / "twice (1).ipynb").write_text(json.dumps(solution))
    (submissions / "ghost.ipynb").symlink_to(tmp / "deleted-before-grading.ipynb")
    out = tmp / "grading"
    shown = io.StringIO()  # what an instructor sees: progress (stderr) and summary (stdout)
    with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(shown):
        assert main(["grade", "tiny", str(submissions), "--out", str(out), "--source",
                     str(root), "--timeout", str(TIMEOUT_S), "--memory-mb", str(MEMORY_MB),
                     "--workers", "2"]) == 0
    (tmp / "grade.log").write_text(shown.getvalue())
    write_feedback("tiny", load_result(out), out / "work", tmp / "kept", keep_hidden_tests=True)
    assert main(["feedback", "tiny", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def gradebook(graded):
    return pd.read_csv(graded / "gradebook.csv", index_col="student", keep_default_na=False)


def test_gradebook_has_a_row_per_student_and_a_column_per_part(gradebook):
    assert sorted(gradebook.index) == sorted([*CASES, "twice", "ghost"])
    assert list(gradebook.columns) == ["test_add", "test_square", "test_words", "total",
                                       "max_total", "notes"]
    assert (gradebook.max_total == 6).all()
    assert (gradebook.total == gradebook[["test_add", "test_square", "test_words"]].sum(axis=1)
            ).all()


@pytest.mark.parametrize("student", CASES)
def test_each_submission_earns_its_points_and_a_note(student, gradebook, graded):
    _, expected, phrase = CASES[student]
    row = gradebook.loc[student]
    assert tuple(row[["test_add", "test_square", "test_words"]]) == expected, row.to_dict()
    if phrase is None:
        assert row.notes == ""
    else:
        assert phrase in row.notes, row.notes
        page = (graded / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        assert "Notes from the autograder" in page and phrase in page.replace("&#x27;", "'")


def test_two_files_of_one_student_grade_the_newest(gradebook):
    row = gradebook.loc["twice"]
    assert row.total == 6 and "2 submissions" in row.notes and "graded twice (1).ipynb" in row.notes


def test_an_unreadable_file_gets_zero_and_a_note(gradebook):
    row = gradebook.loc["ghost"]
    assert row.total == 0 and "ghost.ipynb could not be read" in row.notes


def test_feedback_for_everyone_and_bounded_in_size(graded):
    pages = {p.stem: p for p in (graded / "feedback").glob("*.html")}
    assert sorted(pages) == sorted([*CASES, "twice", "ghost"])
    assert pages["loud"].stat().st_size < 1_000_000  # the 5 MB print was cut
    assert "could not be run" in pages["not_json"].read_text(encoding="utf-8")


def test_grade_shows_progress_per_student_and_a_summary_line(graded, gradebook):
    log = (graded.parent / "grade.log").read_text()
    bar = re.findall(r"grading tiny: +100%.*?(\d+)/(\d+) \[", log)
    assert bar and bar[-1][0] == bar[-1][1] and int(bar[-1][1]) >= 10, log[-2000:]
    noted = int((gradebook.notes != "").sum())
    total = gradebook.total
    assert (f"graded {len(gradebook)} students: total mean {total.mean():.2f}, "
            f"min {total.min():g}, max {total.max():g} (of 6); {noted} with notes") in log


def _text(page: Path) -> str:
    """A feedback page as a reader sees it: tags (syntax highlighting) gone."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("student", ["good", "hidden_fail"])
def test_feedback_leaves_hidden_tests_out_unless_asked(student, graded):
    stripped, kept = _text(graded / "feedback" / f"{student}.html"), \
        _text(graded.parent / "kept" / f"{student}.html")
    assert "assert square(4) == 16" in stripped  # the visible test stays
    assert "square(-3)" not in stripped and "HIDDEN TESTS" not in stripped
    assert "square(-3)" in kept and "BEGIN HIDDEN TESTS" in kept
    if student == "hidden_fail":
        assert "AssertionError" in stripped  # the student still learns the test failed


def test_points_table_header_reads_as_three_columns(graded):
    page = (graded / "feedback" / "good.html").read_text(encoding="utf-8")
    assert "<th>part</th>" in page and "<th>what</th>" in page
    assert re.search(r"\.rendered_html th[^{]*\{[^}]*padding", page), \
        "table cells need padding, or the header reads 'partwhat points'"


def test_invalid_json_note_says_at_once(tmp_path):
    broken = tmp_path / "ana.ipynb"
    broken.write_text('{"cells": "unterminated')
    notebook, note = read_notebook(broken)
    assert notebook is None and "at at" not in note
    assert "Unterminated string starting at line 1, column 11" in note, note


def test_kernel_launcher_caps_memory_and_cuts_the_network():
    probe = ("import resource, socket\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] >> 20)\n"
             "try:\n    socket.create_connection(('192.0.2.1', 80), 2)\n"
             "except OSError as err:\n    print(err.errno)\n")
    isolate = network_isolation_available()
    launched = subprocess.run(
        [sys.executable, "-m", "course_lib.grading.kernel_launcher", "--memory-mb", "1500",
         *(["--no-network"] if isolate else []), "--", sys.executable, "-c", probe],
        capture_output=True, text=True, timeout=60, check=True)
    lines = launched.stdout.split()
    assert lines[0] == "1500"
    if isolate:
        assert lines[1] == str(errno.ENETUNREACH)  # no interface but loopback


def test_both_submission_layouts_are_found(tmp_path):
    nested = tmp_path / "submitted" / "ana" / "hw1"
    nested.mkdir(parents=True)
    (nested / "hw1.ipynb").write_text("{}")
    (tmp_path / "submitted" / "ben" / "hw2").mkdir(parents=True)  # another assignment
    (tmp_path / "submitted" / "ben" / "hw2" / "hw2.ipynb").write_text("{}")
    assert find_submissions(tmp_path, "hw1") == {"ana": [nested / "hw1.ipynb"]}
    flat = tmp_path / "lms"
    flat.mkdir()
    for name in ("cara.ipynb", "cara (2).ipynb", "dev_hw1.ipynb", "Émile O'Neil.ipynb"):
        (flat / name).write_text("{}")
    found = find_submissions(flat, "hw1")
    assert sorted(found) == ["cara", "dev", student_id("Émile O'Neil")]
    assert len(found["cara"]) == 2
    assert student_id("../../etc/passwd") == "etc_passwd"
