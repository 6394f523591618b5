"""The class gradebook: one row per student, one column per graded part, total and notes.

``course grade`` writes it as CSV next to the long table (one row per student and part) and
the notes; ``pandas.read_csv(path, index_col="student")`` reads it back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from course_lib.grading.autograde import COLUMNS, GradingResult


def wide_gradebook(result: GradingResult) -> pd.DataFrame:
    """Scores pivoted to one row per student (sorted) and one column per part, in notebook
    order, then ``total``, ``max_total`` and ``notes`` (the student's notes joined by `` | ``)."""
    grades = result.grades
    table = grades.pivot_table(index="student", columns="grade_id", values="score",
                               aggfunc="sum").reindex(columns=result.parts)
    table = table.fillna(0.0)
    table.columns.name = None
    maxima = grades.groupby("grade_id")["max_score"].max().reindex(result.parts)
    table["total"] = table[result.parts].sum(axis=1)
    table["max_total"] = float(maxima.sum())
    table["notes"] = [" | ".join(result.notes.get(student, [])) for student in table.index]
    return table.sort_index()


def summary_line(table: pd.DataFrame) -> str:
    """One line on a :func:`wide_gradebook`: students, mean/min/max total, how many have notes."""
    if table.empty:
        return "graded 0 students"
    total, noted = table["total"], int((table["notes"] != "").sum())
    return (f"graded {len(table)} students: total mean {total.mean():.2f}, min {total.min():g}, "
            f"max {total.max():g} (of {table['max_total'].iloc[0]:g}); {noted} with notes")


def save_result(result: GradingResult, out_dir: Path) -> Path:
    """Write ``gradebook.csv`` (wide), ``grades.csv`` (long) and ``notes.json``; return the
    gradebook's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result.grades.to_csv(out_dir / "grades.csv", index=False)
    (out_dir / "notes.json").write_text(json.dumps(
        {"parts": result.parts, "notes": result.notes}, indent=1, ensure_ascii=False),
        encoding="utf-8")
    path = out_dir / "gradebook.csv"
    wide_gradebook(result).to_csv(path)
    return path


def load_result(out_dir: Path) -> GradingResult:
    """Read back what :func:`save_result` wrote."""
    out_dir = Path(out_dir)
    saved = json.loads((out_dir / "notes.json").read_text(encoding="utf-8"))
    grades = pd.read_csv(out_dir / "grades.csv", dtype={"student": str, "grade_id": str})
    return GradingResult(grades[COLUMNS], saved["notes"], saved["parts"])
