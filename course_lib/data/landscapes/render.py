"""Render a scene: sample its parameters, draw its label map, paint it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.data.landscapes.layout import draw_layout
from course_lib.data.landscapes.paint import paint
from course_lib.data.landscapes.scene import SceneParams, sample_scene

MIN_SIZE, MAX_SIZE = 32, 256


@dataclass
class Render:
    """One rendered scene: ``image`` (H, W, 3) uint8 RGB, ``labels`` (H, W) uint8, ``params``."""

    image: np.ndarray
    labels: np.ndarray
    params: SceneParams


def render(scene: int | SceneParams, size: int = 64) -> Render:
    """Render ``scene`` (a seed or parameters) at ``size`` x ``size`` pixels (32 to 256).

    Deterministic: the same seed and size give byte-identical arrays on every run.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must lie in {MIN_SIZE}..{MAX_SIZE} px, got {size}")
    params = scene if isinstance(scene, SceneParams) else sample_scene(int(scene))
    layout = draw_layout(params, size)
    return Render(image=paint(params, layout), labels=layout.labels, params=params)


def render_pair(job: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``(seed, size) -> (image, labels)``: a picklable worker for process pools."""
    out = render(job[0], job[1])
    return out.image, out.labels
