"""Landscapes: a procedural data set of label maps, photo-like paintings and captions.

A scene is sampled from a seed (:func:`sample_scene`), drawn as a label map, then painted
(:func:`render`); :func:`captions` describes it in English and Russian. For training, use
:class:`LandscapesDataset` (rendered, cached splits), :class:`LandscapePairs` (the first scenes
of a split as tensors, for units 05-06) or :class:`PairedFolderDataset` (real paired data in
the same form). See ``datasets/README.md`` for the data set card.

Rendering needs only NumPy; the PyTorch data sets are imported on first use, so a rendering
worker process starts without loading torch.
"""

from typing import Any

from course_lib.data.landscapes.captions import caption, captions, en_count, ru_count, ru_plural
from course_lib.data.landscapes.classes import CLASS_COLORS, CLASSES, NUM_CLASSES, colorize
from course_lib.data.landscapes.plots import show_scenes
from course_lib.data.landscapes.render import Render, render
from course_lib.data.landscapes.scene import SEASONS, TIMES_OF_DAY, SceneParams, sample_scene

_TORCH_PARTS = {
    "LandscapesDataset": "dataset", "cached_split": "dataset", "one_hot": "dataset",
    "render_arrays": "dataset", "split_seeds": "dataset", "to_tensor_image": "dataset",
    "PairedFolderDataset": "folder", "LandscapePairs": "pairs",
}


def __getattr__(name: str) -> Any:
    if name in _TORCH_PARTS:
        import importlib

        module = importlib.import_module(f"course_lib.data.landscapes.{_TORCH_PARTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLASSES", "CLASS_COLORS", "LandscapePairs", "LandscapesDataset", "NUM_CLASSES",
    "PairedFolderDataset", "Render", "SEASONS", "SceneParams", "TIMES_OF_DAY", "cached_split",
    "caption", "captions", "colorize", "en_count", "one_hot", "render", "render_arrays",
    "ru_count", "ru_plural", "sample_scene", "show_scenes", "split_seeds", "to_tensor_image",
]
