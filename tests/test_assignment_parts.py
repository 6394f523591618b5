"""One mistake, one part: every graded test cell calls exactly one of the student's functions."""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
#: Test cells whose function is specified in terms of another one (the task says so).
BUILDS_ON = {("05_pix2pixhd", "test_first_block_gap"): {"uniform_map"}}


def student_names_per_test(path: Path) -> dict[str, set[str]]:
    """For each graded cell: the functions and classes of solution cells that it mentions."""
    cells = json.loads(path.read_text())["cells"]
    meta = [c["metadata"].get("nbgrader", {}) for c in cells]
    defined = {name for c, m in zip(cells, meta, strict=True) if m.get("solution")
               for name in re.findall(r"^(?:def|class) (\w+)", "".join(c["source"]), re.M)}
    return {m["grade_id"]: {n for n in defined if re.search(rf"\b{n}\b", "".join(c["source"]))}
            for c, m in zip(cells, meta, strict=True) if m.get("grade")}


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_each_test_cell_grades_one_function(path):
    for grade_id, names in student_names_per_test(path).items():
        names -= BUILDS_ON.get((path.stem, grade_id), set())
        assert len(names) == 1, f"{path.stem}: {grade_id} grades {sorted(names) or 'nothing'}"
