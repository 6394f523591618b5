"""Stamp the course's address (``course_lib.REPOSITORY``) into every notebook.

Each notebook opens with an "Open in Colab" badge and a cell that installs ``course_lib``
from the repository when it is missing. Both are written from ``REPOSITORY`` here, so
publishing the course under another address is a one-line change followed by
``make notebooks-address`` (this module, then ``course release --all`` for exercises/).

Usage: ``python -m course_lib.publish`` rewrites notebooks/ and solutions/; ``--check``
only lists the notebooks (exercises/ included) whose badge or install cell disagree.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from course_lib import REPOSITORY
from course_lib.config import REPO_ROOT

BRANCH = "main"
BADGE = re.compile(r"\(https://colab\.research\.google\.com/github/[^)\s]*\)")

INSTALL_CELL = '''\
# In Colab, install the course package first (a local `make lab` already has it).
try:
    import course_lib
except ImportError:
    import subprocess
    import sys

    REPOSITORY = "{repository}"
    command = [sys.executable, "-m", "pip", "install", "-q", f"course-lib @ git+{{REPOSITORY}}"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-1500:])
        raise SystemExit(f"could not install course_lib from {{REPOSITORY}} (pip's reason is "
                         "above): check the internet connection; if the address is wrong, "
                         "tell the course's publisher (README: Publishing the course)") from None
    import course_lib  # noqa: F401  (installed just now)'''


def _is_install(cell: dict) -> bool:
    source = _text(cell)
    return cell["cell_type"] == "code" and "import course_lib" in source and "pip" in source


def _text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def colab_url(notebook: Path, root: Path, repository: str = REPOSITORY) -> str:
    """The badge's target: the notebook itself, or for a solution the student's exercise."""
    relative = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
    if relative.startswith("solutions/"):
        relative = "exercises/" + relative.removeprefix("solutions/")
    owner_name = repository.removeprefix("https://github.com/").strip("/")
    return f"https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{relative}"


def install_source(repository: str = REPOSITORY) -> str:
    """The source of the install cell every notebook starts with."""
    return INSTALL_CELL.format(repository=repository)


def notebooks(root: Path) -> list[Path]:
    """Every notebook of the course: lectures, solutions and exercises."""
    root = Path(root)
    return sorted([*root.glob("notebooks/*.ipynb"), *root.glob("solutions/*/*.ipynb"),
                   *root.glob("exercises/*/*.ipynb")])


def problems(notebook: Path, root: Path, repository: str = REPOSITORY) -> list[str]:
    """What disagrees with ``repository`` in one notebook (empty when all is right)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    badges = [BADGE.findall(_text(c)) for c in cells if c["cell_type"] == "markdown"]
    badges = [url for found in badges for url in found]
    installs = [_text(c) for c in cells if _is_install(c)]
    found = []
    if badges != [f"({colab_url(notebook, root, repository)})"]:
        found.append(f"badge {badges or 'missing'}")
    if installs != [install_source(repository)]:
        found.append("install cell " + ("missing" if not installs else "differs"))
    return found


def stamp(notebook: Path, root: Path, repository: str = REPOSITORY) -> bool:
    """Rewrite the badge and the install cell of one notebook; True when it changed."""
    path = Path(notebook)
    raw = path.read_text(encoding="utf-8")
    data = json.loads(raw)
    badge = f"({colab_url(path, root, repository)})"
    for cell in data["cells"]:
        if cell["cell_type"] == "markdown" and BADGE.search(_text(cell)):
            cell["source"] = BADGE.sub(lambda _: badge, _text(cell)).splitlines(keepends=True)
        elif _is_install(cell):
            cell["source"] = install_source(repository).splitlines(keepends=True)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if text != raw:
        path.write_text(text, encoding="utf-8")
    return text != raw


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.publish [--check]``: stamp (or check) every notebook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only list notebooks that disagree with course_lib.REPOSITORY")
    args = parser.parse_args(argv)
    if REPO_ROOT is None:
        parser.error("run this from the course repository: course_lib is installed without "
                     "its notebooks")
    root = REPO_ROOT
    if args.check:
        wrong = {nb: problems(nb, root) for nb in notebooks(root)}
        for nb, found in wrong.items():
            if found:
                print(f"{nb.relative_to(root)}: {'; '.join(found)} "
                      "(run `make notebooks-address`)")
        return 1 if any(wrong.values()) else 0
    targets = [nb for nb in notebooks(root) if not nb.is_relative_to(root / "exercises")]
    changed = [nb for nb in targets if stamp(nb, root)]
    print(f"{REPOSITORY}: stamped {len(changed)} of {len(targets)} notebooks; regenerate "
          "exercises/ with `course release --all` (make notebooks-address does both)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
