"""Where the course runs: device, profile (fast or full), seeds and data folders.

Everything that differs between a student's laptop, Colab and CI is decided here, from
environment variables, so that notebooks read as ordinary code:

- ``COURSE_PROFILE``: ``full`` (default) trains for real; ``fast`` (set by CI and the
  autograder) shrinks data and steps so each notebook runs in a few minutes on 2 CPU cores.
- ``COURSE_DATA_DIR``: a folder that may already hold data sets (read-only is fine).
- ``COURSE_CACHE_DIR``: a writable folder for downloads and rendered data
  (default ``~/.cache/course_lib``).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

Profile = Literal["fast", "full"]
PROFILES: tuple[str, ...] = ("fast", "full")
T = TypeVar("T")

#: The repository root when course_lib runs from a checkout (None when installed as a wheel).
REPO_ROOT: Path | None = (
    Path(__file__).resolve().parent.parent
    if (Path(__file__).resolve().parent.parent / "pyproject.toml").exists()
    else None
)


def profile() -> Profile:
    """Return the active profile, read from ``COURSE_PROFILE`` each time it is called."""
    value = os.environ.get("COURSE_PROFILE", "full").strip().lower() or "full"
    if value not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE={value!r} is not a known profile; use one of {PROFILES} "
            "(fast: a quick run for CI and grading, full: real training)."
        )
    return value  # type: ignore[return-value]


def by_profile(*, full: T, fast: T) -> T:
    """Pick a size by profile: ``by_profile(full=55_000, fast=2_000)``.

    This is the one place where the two profiles differ, so notebooks never need
    ``if CI:`` branches: they ask for a size and get the right one.
    """
    return fast if profile() == "fast" else full


def fill_from_profile(config: T, **sizes: tuple[Any, Any]) -> T:
    """A copy of the dataclass ``config`` whose ``None`` fields named in ``sizes`` get
    ``by_profile(full=..., fast=...)``: ``fill_from_profile(cfg, steps=(700, 10))``."""
    import dataclasses

    return dataclasses.replace(config, **{name: by_profile(full=full, fast=fast)
                                          for name, (full, fast) in sizes.items()
                                          if getattr(config, name) is None})


def pick_device(prefer: str | None = None):
    """Return the best available ``torch.device``: cuda, then Apple's mps, then cpu.

    ``prefer`` (or the ``COURSE_DEVICE`` variable) forces one, e.g. ``"cpu"`` to compare speeds.
    """
    import torch

    wanted = prefer or os.environ.get("COURSE_DEVICE")
    if wanted:
        return _checked_device(str(wanted))
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _checked_device(wanted: str):
    """``torch.device(wanted)``, or a ``CourseError`` saying why this machine cannot use it."""
    import torch

    from course_lib.errors import CourseError

    kind = wanted.split(":")[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise CourseError(f"--device {wanted}: not a device this course runs on; choose cpu, "
                          "cuda or mps, or leave --device out to use the best one found")
    available = {"cpu": True, "cuda": torch.cuda.is_available(),
                 "mps": getattr(torch.backends, "mps", None) is not None
                 and torch.backends.mps.is_available()}
    if not available[kind]:
        raise CourseError(f"--device {wanted}: this PyTorch {torch.__version__} cannot use "
                          f"{kind} on this machine; use --device cpu, or leave --device out")
    return torch.device(wanted)


def seed_everything(seed: int = 42) -> None:
    """Seed Python, NumPy, PyTorch and Keras for repeatable runs.

    Keras is seeded only when it is already imported (importing it starts TensorFlow,
    which takes seconds and is not needed by the PyTorch units).
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # a Keras-only install
        pass
    else:
        torch.manual_seed(seed)
    if "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)


def cache_dir() -> Path:
    """A writable folder for downloads and rendered data sets (created on demand)."""
    path = Path(os.environ.get("COURSE_CACHE_DIR", Path.home() / ".cache" / "course_lib"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dirs() -> list[Path]:
    """Folders searched for data sets, in order: ``$COURSE_DATA_DIR``, the repo's ``datasets/``."""
    dirs: list[Path] = []
    if os.environ.get("COURSE_DATA_DIR"):
        dirs.append(Path(os.environ["COURSE_DATA_DIR"]).expanduser())
    if REPO_ROOT is not None:
        dirs.append(REPO_ROOT / "datasets")
    return dirs


def keras_home() -> Path:
    """Keras's own cache folder (``$KERAS_HOME`` or ``~/.keras``), as Keras computes it."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
