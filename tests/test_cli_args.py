"""Flag values are checked in argparse, and every default shows in --help (issue 15.3, 15.10)."""

from __future__ import annotations

import argparse

import pytest

from course_lib.cli import build_parser
from course_lib.cli.args import image_size, positive_float, positive_int, share


def subcommands(parser: argparse.ArgumentParser, name: str = "course"):
    """(name, parser) of every command and subcommand."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from subcommands(sub, f"{name} {sub_name}")


def test_every_option_says_its_default_in_help():
    missing = []
    for name, parser in subcommands(build_parser()):
        formatter = parser._get_formatter()
        for action in parser._actions:
            if (not action.option_strings or action.required or action.default is False
                    or isinstance(action, argparse._HelpAction)):
                continue
            if "default" not in formatter._get_help_string(action):
                missing.append(f"{name} {action.option_strings[-1]}")
    assert missing == []


def test_help_renders_the_default_value():
    text = build_parser()._subparsers._group_actions[0].choices["sample"].format_help()
    assert "(default: 64)" in " ".join(text.split())


@pytest.mark.parametrize("check, value, allowed", [
    (positive_int, "0", ">= 1"), (positive_int, "-5", ">= 1"), (positive_int, "x", "whole"),
    (positive_float, "0", "> 0"), (positive_float, "nan", "> 0"), (share, "1.5", "[0, 1]"),
    (image_size, "50", "multiple of 16"), (image_size, "512", "from 32 to 256"),
])
def test_checks_reject_with_the_allowed_range(check, value, allowed):
    with pytest.raises(argparse.ArgumentTypeError, match=allowed.replace("[", r"\[")):
        check(value)


def test_checks_accept_legal_values():
    assert (positive_int("3"), positive_float("2e-4"), share("0"), image_size("64")) == (
        3, 2e-4, 0.0, 64)


@pytest.mark.parametrize("argv, flag", [
    (["train", "gan", "--steps", "0"], "--steps"),
    (["train", "gan", "--steps", "-5"], "--steps"),
    (["train", "fashion-cnn", "--batch-size", "0"], "--batch-size"),
    (["sample", "mlp_gan", "--n", "-3"], "--n"),
    (["sample", "mlp_gan", "--n", "0"], "--n"),
    (["train", "spade", "--steps", "-3"], "--steps"),
    (["train", "vqgan", "--disc-start", "2"], "--disc-start"),
])
def test_bad_flag_values_stop_in_argparse(argv, flag, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    assert stop.value.code == 2
    assert f"argument {flag}:" in capsys.readouterr().err
