"""The figures units 05 and 06 compare their label-map-to-photo models by.

:func:`evaluate_translation` generates pictures for the first ``n`` maps of a split (noise and
looks drawn from ``seed``, so the figures are reproducible) and scores them the SPADE paper's
way: the segmenter's mIoU and pixel accuracy against the maps, and the landscape FID between
the generated pictures and the real renders of the same maps.
"""

from __future__ import annotations

from torch import nn

from course_lib.data.landscapes.pairs import LandscapePairs
from course_lib.metrics.segmentation import landscape_fid, segmentation_scores
from course_lib.models.label_maps import generate
from course_lib.models.segmenter import load_segmenter


def evaluate_translation(model: nn.Module, split: str = "test", n: int = 500, size: int = 64,
                         segmenter: nn.Module | None = None, fid: bool = True, seed: int = 0
                         ) -> dict[str, float]:
    """mIoU and pixel accuracy of the segmenter (default: the shipped one) on ``model``'s
    images for the first ``n`` maps of ``split``, and (``fid``) the landscape FID between those
    images and the real renders of the same maps. ``model``: a pix2pixHD or SPADE generator."""
    segmenter = segmenter or load_segmenter()
    pairs = LandscapePairs(split, n, size)
    fake = generate(model, pairs.labels, seed=seed)
    scores = segmentation_scores(segmenter, fake, pairs.labels)
    out = {"miou": scores["miou"], "pixel_accuracy": scores["pixel_accuracy"]}
    if fid:
        out["fid"] = landscape_fid(segmenter, fake, pairs.photos())
    return out
