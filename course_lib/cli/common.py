"""What every ``course train`` command shares: the ``train`` group, export, run and size flags,
the run folder and the command line recorded in sidecars."""

from __future__ import annotations

import argparse
import inspect
import shlex
import sys
from pathlib import Path

from course_lib.cli.args import positive_float, positive_int


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


def subcommand(group: argparse._SubParsersAction, name: str, handler,
               example: str | None = None, about: str | None = None,
               description: str | None = None) -> argparse.ArgumentParser:
    """``group``'s command ``name``, run by ``handler``, with its help, description and example.

    The one-line help and the description are the handler's docstring (its first line, then
    the rest), so what a command says it does stands next to the code that does it. ``about``
    and ``description`` replace them for a handler that serves several commands.
    """
    summary, _, rest = inspect.cleandoc(handler.__doc__ or "").partition("\n")
    about = about or summary
    parser = group.add_parser(name, help=about, description=description or rest.strip() or about,
                              epilog=example and f"Example: {example}")
    parser.set_defaults(handler=handler)
    return parser


def add_run_flags(parser: argparse.ArgumentParser, device: bool = True) -> None:
    """``--seed``, ``--threads`` and (with ``device``) ``--device``."""
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    if device:
        parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: best)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")


def add_size_flags(parser: argparse.ArgumentParser, batch_size: int, lr: float,
                   **defaults: str) -> None:
    """``--n-train``, ``--n-test``, ``--steps`` (None: the profile's; ``defaults`` names them in
    the help), ``--batch-size`` and ``--lr``."""
    for name, what in (("n_train", "training scenes"), ("n_test", "test scenes scored"),
                       ("steps", "optimiser steps")):
        default = f" (default {defaults[name]})" if name in defaults else ""
        parser.add_argument(f"--{name.replace('_', '-')}", type=positive_int, default=None,
                            help=what + default)
    parser.add_argument("--batch-size", type=positive_int, default=batch_size)
    parser.add_argument("--lr", type=positive_float, default=lr, help="peak learning rate")


def size_settings(args: argparse.Namespace) -> dict:
    """The values of ``add_size_flags`` and ``add_run_flags`` as a training config's keywords."""
    return {"n_train": args.n_train, "n_test": args.n_test, "steps": args.steps,
            "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
            "threads": args.threads}


def run_dir(args: argparse.Namespace) -> Path:
    """The run folder of ``--out`` (resumable checkpoints; ``training.loop.run_folder``)."""
    from course_lib.training.loop import run_folder

    return run_folder(args.out)


def print_summary(model: str, figures: str, report: dict) -> int:
    """Print a training command's one summary line (its figures, time, export); return 0."""
    print(f"{model}: {figures}; trained in {report['train_seconds']:.0f} s; wrote "
          f"{report['checkpoint']}")
    return 0
