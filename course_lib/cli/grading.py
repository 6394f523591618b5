"""``course release``, ``course grade`` and ``course feedback``: the instructors' commands."""

from __future__ import annotations

import argparse

from course_lib.cli.args import positive_int
from course_lib.cli.common import subcommand


def _release(args: argparse.Namespace) -> int:
    """regenerate exercises/ from solutions/ with nbgrader

    Run nbgrader generate_assignment on a scratch copy and write exercises/NAME (answers and
    hidden tests removed).
    """
    from course_lib.grading.release import main as release_main

    return release_main([*args.names] + (["--all"] if args.all else [])
                        + (["--check"] if args.check else []))


def _grading_env(args: argparse.Namespace) -> dict[str, str]:
    env = {"COURSE_GRADING_TIMEOUT": str(args.timeout),
           "COURSE_GRADING_MEMORY_MB": str(args.memory_mb)}
    if args.allow_network:
        env["COURSE_GRADING_NETWORK"] = "on"
    return env


def _grade(args: argparse.Namespace) -> int:
    """autograde a folder of submissions and write the gradebook CSV

    Autograde every student's notebook (nbgrader, fast profile, per-cell timeout, kernel memory
    cap, no network where the OS allows) in parallel workers. A broken or hostile notebook
    costs only its owner; what went wrong goes to the notes column. Writes OUT/gradebook.csv
    (one row per student), OUT/grades.csv, OUT/notes.json and keeps the autograded notebooks
    in OUT/work.
    """
    from pathlib import Path

    from course_lib.grading.autograde import grade_submissions
    from course_lib.grading.gradebook import save_result, summary_line, wide_gradebook
    from course_lib.grading.intake import find_submissions
    from course_lib.grading.sandbox import network_isolation_available

    found = find_submissions(Path(args.submissions), args.assignment)
    if not found:
        raise FileNotFoundError(f"no notebooks for {args.assignment} in {args.submissions} "
                                f"(expected <student>/{args.assignment}/*.ipynb or "
                                "<student>.ipynb)")
    out = Path(args.out)
    if (out / "work").exists():
        import shutil

        shutil.rmtree(out / "work")
    isolated = not args.allow_network and network_isolation_available()
    print(f"grading {len(found)} students of {args.assignment}: {args.timeout} s per cell, "
          f"{args.memory_mb} MB per kernel, network {'cut' if isolated else 'NOT isolated'}")
    result = grade_submissions(args.assignment, found, out / "work", env=_grading_env(args),
                               workers=args.workers,
                               root=Path(args.source) if args.source else None)
    path = save_result(result, out)
    table = wide_gradebook(result)
    print(table.drop(columns="notes").to_string())
    noted = table[table.notes != ""]
    for student, notes in noted.notes.items():
        print(f"{student}: {notes}")
    print(f"gradebook: {path} ({len(table)} students); "
          f"feedback: course feedback {args.assignment} --out {out}")
    print(summary_line(table))
    return 0


def _feedback(args: argparse.Namespace) -> int:
    """write per-student HTML feedback after `course grade`

    Run nbgrader generate_feedback on the autograded notebooks of `course grade` and write
    OUT/feedback/<student>.html, with the grader's notes on top.
    """
    from pathlib import Path

    from course_lib.grading.feedback import write_feedback
    from course_lib.grading.gradebook import load_result

    out = Path(args.out)
    pages = write_feedback(args.assignment, load_result(out), out / "work", out / "feedback",
                           keep_hidden_tests=args.keep_hidden_tests)
    print(f"wrote {len(pages)} feedback pages to {out / 'feedback'}")
    return 0


def add_grading_commands(commands: argparse._SubParsersAction) -> None:
    """``course release``, ``course grade`` and ``course feedback`` (instructors, nbgrader)."""
    release = subcommand(commands, "release", _release, "course release --all --check")
    release.add_argument("names", nargs="*", help="assignments to release")
    release.add_argument("--all", action="store_true", help="every assignment in solutions/")
    release.add_argument("--check", action="store_true",
                         help="only report exercises that differ from their solutions")

    grade = subcommand(commands, "grade", _grade,
                       "course grade 01_dense_fashion_mnist downloads/ --out grading/01")
    grade.add_argument("assignment", help="assignment name (a folder of solutions/)")
    grade.add_argument("submissions", help="submitted/<student>/<assignment>/*.ipynb or a "
                       "flat folder of <student>.ipynb files")
    grade.add_argument("--out", required=True, help="folder for the gradebook and feedback")
    grade.add_argument("--workers", type=positive_int, default=None, help="parallel nbgrader runs "
                       "(default: CPU cores)")
    grade.add_argument("--timeout", type=int, default=120, help="seconds per cell (120)")
    grade.add_argument("--memory-mb", type=int, default=6144,
                       help="address-space cap per kernel in MB (6144; TensorFlow needs ~3000)")
    grade.add_argument("--allow-network", action="store_true",
                       help="do not cut the kernels off the network")
    grade.add_argument("--source", default=None,
                       help="course folder with solutions/ and nbgrader_config.py "
                       "(default: this repository)")

    feedback = subcommand(commands, "feedback", _feedback,
                          "course feedback 01_dense_fashion_mnist --out grading/01")
    feedback.add_argument("assignment", help="assignment name")
    feedback.add_argument("--out", required=True, help="the --out folder of `course grade`")
    feedback.add_argument("--keep-hidden-tests", action="store_true",
                          help="show hidden tests (### BEGIN HIDDEN TESTS) in the pages; by "
                          "default they are left out, so students cannot read them")
