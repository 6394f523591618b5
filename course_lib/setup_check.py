"""Is this machine ready for the course? A table of checks, each with what to do when it fails.

Used by ``notebooks/00_setup.ipynb``; works in JupyterLab, Colab and a plain terminal
(``python -m course_lib.setup_check``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import platform
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from course_lib import __version__
from course_lib.config import profile

MIN_PYTHON = (3, 10)


@dataclass
class Check:
    """One line of the report: what was checked, what was found, and how to fix a failure."""

    name: str
    ok: bool
    found: str
    fix: str = ""


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


class Report(pd.DataFrame):
    """The setup table. It shows every path and fix whole: pandas would cut them at 50
    characters ("/home/ana/.../fashion-mn..."), hiding which file is wrong."""

    @property
    def _constructor(self):
        return Report

    def _repr_html_(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            return super()._repr_html_()

    def __repr__(self) -> str:
        return self.to_string(index=False)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence what C++ libraries write straight to file descriptor 2 while importing.

    TensorFlow logs "Could not find cuda drivers" through absl before it reads
    ``TF_CPP_MIN_LOG_LEVEL``, and Jupyter shows that as a pink block in the setup notebook.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _package(name: str, fix: str) -> Check:
    try:
        with quiet_native_stderr():
            module = importlib.import_module(name)
    except Exception as err:  # an import can fail in many ways; report, never crash
        return Check(name, False, f"not importable ({type(err).__name__}: {err})", fix)
    return Check(name, True, getattr(module, "__version__", "installed"))


def _accelerator() -> Check:
    from course_lib.config import pick_device

    device = pick_device()
    if device.type == "cuda":
        import torch

        return Check("accelerator", True, f"cuda: {torch.cuda.get_device_name(0)}")
    hint = ("In Colab: Runtime > Change runtime type > GPU. On a laptop the CPU is fine: "
            "the fast profile and the shipped checkpoints keep every notebook short.")
    return Check("accelerator", True, f"{device.type} (no GPU)", hint)


def _fashion_mnist() -> Check:
    from course_lib.data.fashion_mnist import locate, search_folders

    try:
        folder = locate(allow_download=False)
    except FileNotFoundError:
        where = ", ".join(str(f) for f in search_folders())
        return Check("Fashion-MNIST", False, f"not found in {where}",
                     "Run `course data fashion-mnist` (or the next notebook) with internet "
                     "access, or set COURSE_DATA_DIR to a folder containing fashion-mnist/.")
    except ValueError as err:  # a checksum mismatch
        return Check("Fashion-MNIST", False, str(err), "Delete the damaged file and load again.")
    return Check("Fashion-MNIST", True, f"{folder} (checksums verified)")


def environment_report() -> Report:
    """Run every check and return a table with columns ``check, ok, found, fix``."""
    python_ok = sys.version_info[:2] >= MIN_PYTHON
    checks = [
        Check("python", python_ok, platform.python_version(),
              "" if python_ok else f"Use Python {'.'.join(map(str, MIN_PYTHON))} or newer."),
        Check("course_lib", True, __version__),
        Check("where", True, "Google Colab" if in_colab() else "local Jupyter or terminal"),
        Check("profile", True, profile(),
              "COURSE_PROFILE=fast shrinks every notebook to a few minutes on a CPU."),
        _package("torch", "pip install torch (units 02-07)"),
        _package("keras", "pip install tensorflow keras (units 01-02)"),
        _package("matplotlib", "pip install matplotlib"),
        _accelerator(),
        _fashion_mnist(),
    ]
    return Report([vars(c) for c in checks]).rename(columns={"name": "check"})


if __name__ == "__main__":
    report = environment_report()
    print(report)
    raise SystemExit(0 if report.ok.all() else 1)
