"""Argument checks and help formatting shared by every ``course`` subcommand.

The ``type=`` functions reject bad values inside argparse, before any heavy import, with a
message that names the allowed range (``argparse`` adds the flag's name in front).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def _number(text: str, kind: Callable[[str], float], what: str) -> float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def positive_int(text: str) -> int:
    """An integer >= 1 (steps, epochs, batch sizes, image counts)."""
    value = int(_number(text, int, "a whole number"))
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give a whole number >= 1")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0 (0 switches the feature off)."""
    value = int(_number(text, int, "a whole number"))
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give a whole number >= 0")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates, minutes, loss weights)."""
    value = _number(text, float, "a number")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{value:g} is not allowed: give a number > 0")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (loss weights that 0 switches off)."""
    value = _number(text, float, "a number")
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{value:g} is not allowed: give a number >= 0")
    return value


def share(text: str) -> float:
    """A fraction in [0, 1] (share of the steps, probabilities that may be 0)."""
    value = _number(text, float, "a number")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not allowed: give a number in [0, 1]")
    return value


def image_size(text: str) -> int:
    """A Landscapes image size: a multiple of 16 from 32 to 256 px (the U-Nets halve it 4x)."""
    value = int(_number(text, int, "a whole number"))
    if not (32 <= value <= 256 and value % 16 == 0):
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give a multiple of 16 "
                                         "from 32 to 256")
    return value


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Adds "(default: X)" to every option whose help does not already say its default;
    a default of None reads "set by COURSE_PROFILE" (the handlers pick it by profile)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (not action.option_strings or action.required or "default" in text
                or action.default in (False, argparse.SUPPRESS)):
            return text
        if action.default is None:
            return text + " (default: set by COURSE_PROFILE, see the description)"
        return text + " (default: %(default)s)"


def show_defaults(parser: argparse.ArgumentParser) -> None:
    """Use ``DefaultsHelpFormatter`` in ``parser`` and every subcommand under it."""
    parser.formatter_class = DefaultsHelpFormatter
    for action in parser._actions:
        if action.help is None and action.option_strings and action.default is not False:
            action.help = "(default: %(default)s)"  # argparse prints nothing for help=None
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                show_defaults(sub)
