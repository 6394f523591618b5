"""Generate ``exercises/NN_topic`` from ``solutions/NN_topic`` (``nbgrader generate_assignment``).

Usage: ``python -m course_lib.grading.release NN_topic`` (or ``--all``) rewrites the
exercise; ``--check`` only reports whether the committed exercises match their solutions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from course_lib.grading.course_dir import assignments, course_root, run_nbgrader, scratch_course


def generate_exercise(name: str, out_dir: Path) -> Path:
    """Run nbgrader on a scratch copy and put the released folder at ``out_dir / name``."""
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        course = scratch_course(Path(tmp), [name])
        run_nbgrader(course, "generate_assignment", name, "--force")
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(course / "exercises" / name, target)
    return target


def notebook_fingerprint(path: Path) -> list[tuple[str, str, str]]:
    """What must agree between a generated and a committed exercise: each cell's type,
    source and nbgrader metadata (outputs and execution counts must be absent anyway)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
             json.dumps(c.get("metadata", {}).get("nbgrader", {}), sort_keys=True))
            for c in cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="assignments to release (folder names)")
    parser.add_argument("--all", action="store_true", help="every assignment in solutions/")
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed exercises instead of writing them")
    args = parser.parse_args(argv)
    names = assignments() if args.all else args.names
    if not names:
        parser.error("name an assignment or pass --all")
    root = course_root()
    drifted = []
    for name in names:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = generate_exercise(name, Path(tmp))
                for nb in sorted(fresh.glob("*.ipynb")):
                    committed = root / "exercises" / name / nb.name
                    if not committed.exists() or (notebook_fingerprint(nb)
                                                  != notebook_fingerprint(committed)):
                        drifted.append(str(committed.relative_to(root)))
        else:
            print(f"released {generate_exercise(name, root / 'exercises').relative_to(root)}")
    for path in drifted:
        print(f"out of date: {path} (run `python -m course_lib.grading.release --all`)")
    return 1 if drifted else 0


if __name__ == "__main__":
    raise SystemExit(main())
