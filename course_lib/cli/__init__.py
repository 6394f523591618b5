"""The ``course`` command: prepare data, train the course's models, sample, grade.

One module per group of subcommands (``data``, ``gans``, ``models``, ``grading``), each with
small ``add_*`` functions, so ``course --help`` lists everything a student can run. Handlers
only map flags to the library's functions and configs; heavy imports happen inside them, so
the help text appears instantly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from course_lib.cli.args import show_defaults
from course_lib.cli.data import add_data_commands, add_landscapes_data
from course_lib.cli.gans import add_gan_commands, add_train_pix2pixhd, add_train_spade
from course_lib.cli.grading import add_grading_commands
from course_lib.cli.models import (
    add_text_to_image_commands,
    add_train_fashion_cnn,
    add_train_segmenter,
    add_unit07_commands,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and for ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="course",
        description="Generative deep learning course: data, training, sampling and grading.",
        epilog="Set COURSE_PROFILE=fast for quick runs, COURSE_DATA_DIR for offline data.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data = add_data_commands(commands)
    add_train_fashion_cnn(commands)
    add_landscapes_data(data)
    add_train_segmenter(commands)
    add_gan_commands(commands)
    add_unit07_commands(commands)
    add_train_pix2pixhd(commands)
    add_train_spade(commands)
    add_text_to_image_commands(commands)
    add_grading_commands(commands)
    show_defaults(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``course`` console script."""
    from course_lib.errors import CourseError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CourseError as err:
        print(f"course: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:  # Ctrl-C: loops that can save have done so (err says)
        print(f"\ncourse: {str(err) or 'interrupted; this command keeps no partial results'}",
              file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, ConnectionError) as err:
        print(f"course: error: {err}", file=sys.stderr)
        return 1

