"""The pix2pixHD generator that ships with the package (unit 05): load, export, its sidecar.

``course train pix2pixhd --export`` writes G (with its feature encoder and the cluster centres
of the looks) as fp16 safetensors plus a JSON sidecar: the config, the command, the seed and the
measured quality. ``load_pix2pixhd`` reads it back, or the latest checkpoint of a run folder.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from torch import nn

from course_lib.models.pix2pixhd.build import build_generator
from course_lib.models.pix2pixhd.config import Pix2PixHDConfig
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    checkpoint_path,
    latest_network_weights,
    load_weights,
    read_sidecar,
    save_weights,
)

CHECKPOINT_NAME = "pix2pixhd_landscapes64"


def export_pix2pixhd(generator: nn.Module, config: Pix2PixHDConfig, meta: dict[str, Any],
                     path: str | Path | None = None) -> Path:
    """Write G's weights as fp16 safetensors plus a JSON sidecar (config + ``meta``)."""
    path = checkpoint_path(path, CHECKPOINT_NAME)
    return save_weights(generator.state_dict(), path, {"config": asdict(config), **meta})


def load_pix2pixhd(path: str | Path | None = None) -> nn.Module:
    """The shipped (or an exported) pix2pixHD generator, float32, eval mode, on the CPU.

    Also accepts a run folder of ``course train pix2pixhd`` (its latest checkpoint).
    """
    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    found = latest_network_weights(path, "generator")
    if found:
        state, meta = found
    else:
        state, meta = load_weights(path, "pix2pixHD", "course train pix2pixhd")
    generator = build_generator(Pix2PixHDConfig(**meta["config"]))
    generator.load_state_dict(state)
    return generator.eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of the shipped pix2pixHD checkpoint (command, seed, date, quality)."""
    return read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))
