"""The report a supervised loop returns, and the sidecar its exported model carries.

Every ``train_*`` of the Landscapes models returns ``(model, report)``; ``report`` holds the
filled-in settings, the history, the test figures and where and how fast training ran. The
sidecar (``landscapes_sidecar``) records that with the command, seed and date, so a shipped
file says how to make it again and what it should measure.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn


def train_report(config: Any, history: list[dict[str, Any]], test: dict[str, Any],
                 device: torch.device, train_seconds: float, **seconds: float) -> dict[str, Any]:
    """The report of one training run with the (filled-in) dataclass ``config``;
    ``seconds``: other timings, e.g. ``prepare_seconds``."""
    from dataclasses import asdict

    import pandas as pd

    return {"train_config": asdict(config), "history": pd.DataFrame(history), "test": test,
            **{k: round(v, 1) for k, v in seconds.items()},
            "train_seconds": round(train_seconds, 1), "device": str(device),
            "threads": torch.get_num_threads()}


def exported(report: dict[str, Any], write: Callable[..., Path], model: nn.Module,
             export: str | Path | None, command: str) -> dict[str, Any]:
    """``report`` after ``write(model, report, export, command)`` saved the model and its
    sidecar (``report["checkpoint"]``: the path); unchanged without ``export``."""
    if export is not None:
        report["checkpoint"] = write(model, report, export, command)
    return report


def landscapes_sidecar(report: dict[str, Any], command: str | None, quality: dict[str, Any],
                       decimals: int = 4, **extra: Any) -> dict[str, Any]:
    """Sidecar of a model trained on Landscapes renders: command, seed, date, settings,
    renderer version, ``quality`` (and ``extra``), the history (at most ~50 rows)."""
    from course_lib.data.landscapes.dataset import RENDER_VERSION

    hist = report["history"]
    every = max(1, len(hist) // 50)
    return {
        "command": command or " ".join(["course", *sys.argv[1:]]),
        "seed": report["train_config"]["seed"],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "train": report["train_config"],
        "render_version": RENDER_VERSION,
        "quality": quality,
        **extra,
        "history": hist.iloc[::every].round(decimals).to_dict(orient="records"),
        "machine": f"{platform.machine()}, {report['device']}, {report['threads']} threads",
        "train_seconds": report["train_seconds"],
    }
