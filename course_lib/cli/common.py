"""What every ``course train`` command shares: the ``train`` group, export flags and the
command line recorded in sidecars."""

from __future__ import annotations

import argparse
import shlex
import sys


def command_line() -> str:
    """The command being run, as a user would retype it (recorded in every sidecar)."""
    return "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def add_export_flags(parser: argparse.ArgumentParser, name: str, out: str | None) -> None:
    """``--out`` (unless ``out`` is None: the command has its own) and ``--export-to-package``."""
    if out is not None:
        parser.add_argument("--out", default=out, help=f"run folder (gets {name}.safetensors + "
                            "its .json) or a .safetensors path")
    parser.add_argument("--export-to-package", action="store_true",
                        help=f"replace the shipped course_lib/checkpoints/{name}.safetensors "
                        "(the old files are kept as .bak)")


def _export_path(args: argparse.Namespace, name: str, out: str | None = None):
    """Where this command exports ``name`` (checked before training starts)."""
    from course_lib.models.weights_file import export_path

    return export_path(name, out or args.out, args.export_to_package)


def _run_export(args: argparse.Namespace, name: str):
    """The export path of ``--export [PATH]`` / ``--export-to-package``, or None."""
    if not (args.export or args.export_to_package):
        return None
    return _export_path(args, name, None if args.export in (None, "run") else args.export)


def train_models(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The shared ``course train MODEL`` group: created by the first unit that asks for it."""
    train = commands.choices.get("train")
    if train is None:
        train = commands.add_parser(
            "train", help="train one of the course's models with its defaults",
            description="Train a course model and write a safetensors checkpoint "
            "with a JSON sidecar (command, seed, date, measured quality).")
        train.set_defaults(models=train.add_subparsers(dest="model", required=True,
                                                       metavar="MODEL"))
    return train.get_default("models")

