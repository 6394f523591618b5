"""A course folder nbgrader can work in: the repo's config and solutions, copied to scratch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.config import REPO_ROOT


def course_root() -> Path:
    """The repository holding ``solutions/`` and ``nbgrader_config.py``."""
    if REPO_ROOT is None:
        raise FileNotFoundError("Grading needs the course repository (solutions/, "
                                "nbgrader_config.py); course_lib is installed without it.")
    return REPO_ROOT


def assignments(root: Path | None = None) -> list[str]:
    """Names of the assignments in ``solutions/`` (folders holding a notebook of their name)."""
    root = root or course_root()
    return sorted(p.name for p in (root / "solutions").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


def scratch_course(target: Path, names: list[str] | None = None, root: Path | None = None) -> Path:
    """Copy the config and the given assignments' sources into ``target`` and return it."""
    root = root or course_root()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "nbgrader_config.py", target / "nbgrader_config.py")
    for name in names or assignments(root):
        shutil.copytree(root / "solutions" / name, target / "solutions" / name,
                        dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


def run_nbgrader(course: Path, *args: str, env: dict[str, str] | None = None,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` inside ``course`` with this Python; raise with its log on failure."""
    command = [sys.executable, "-m", "nbgrader", *args]
    # nbgrader calls the `alembic` script of its environment: put this Python's bin first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(command, cwd=course, capture_output=True, text=True,
                            env={**os.environ, "PATH": path, **(env or {})}, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed in {course} "
                           f"(exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result
