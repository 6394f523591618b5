"""Autograding throughput: N copies of one solution notebook through `grade_submissions`.

Usage: ``COURSE_DATA_DIR=... python benchmarks/grading_throughput.py [--copies 30]
[--workers 2] [--assignment 01_dense_fashion_mnist]``. Prints the wall time of the whole
batch (intake, nbgrader runs, gradebook) and checks every copy got full marks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from course_lib.config import REPO_ROOT
from course_lib.grading.autograde import grade_submissions
from course_lib.grading.gradebook import wide_gradebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="01_dense_fashion_mnist")
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    solution = REPO_ROOT / "solutions" / args.assignment / f"{args.assignment}.ipynb"
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        folder = Path(tmp) / "downloads"
        folder.mkdir()
        submissions = {}
        for index in range(args.copies):
            submissions[f"student{index:03d}"] = shutil.copy2(
                solution, folder / f"student{index:03d}.ipynb")
        start = time.perf_counter()
        result = grade_submissions(args.assignment, submissions, Path(tmp) / "work",
                                   workers=args.workers)
        seconds = time.perf_counter() - start
        table = wide_gradebook(result)
    full = int((table.total == table.max_total).sum())
    print(f"{args.copies} copies of {args.assignment}, {args.workers} workers: "
          f"{seconds:.0f} s ({seconds / args.copies:.1f} s per notebook); "
          f"{full}/{len(table)} full marks; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
