"""The ``course`` command: prepare data, train the course's models, sample, grade.

Each unit adds its subcommands here with a small ``add_*`` function, so ``course --help``
lists everything a student can run. Heavy imports happen inside the handlers, so the help
text appears instantly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _data_fashion_mnist(args: argparse.Namespace) -> int:
    from course_lib.data.fashion_mnist import load_fashion_mnist, locate

    (x_train, _), (x_test, _) = load_fashion_mnist()
    print(f"Fashion-MNIST ready in {locate(allow_download=False)}: "
          f"{len(x_train):,} training and {len(x_test):,} test images (checksums verified).")
    return 0


def add_data_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """``course data ...``: find, verify or download data sets."""
    data = commands.add_parser("data", help="prepare a data set (download, verify, render)",
                               description="Prepare a data set so notebooks can use it offline.")
    which = data.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    fmnist = which.add_parser(
        "fashion-mnist", help="find or download Fashion-MNIST and verify its checksums",
        description="Look for the four official Fashion-MNIST files ($COURSE_DATA_DIR, "
        "datasets/, the Keras cache), download what is missing, verify SHA-256 checksums "
        "and fill the Keras cache so keras.datasets.fashion_mnist.load_data() works offline.")
    fmnist.set_defaults(handler=_data_fashion_mnist)
    return which


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and for ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="course",
        description="Generative deep learning course: data, training, sampling and grading.",
        epilog="Set COURSE_PROFILE=fast for quick runs, COURSE_DATA_DIR for offline data.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_data_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``course`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (FileNotFoundError, ValueError, ConnectionError) as err:
        print(f"course: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
