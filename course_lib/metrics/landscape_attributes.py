"""Read a Landscapes picture's attributes back from its pixels, to check generated images.

Unit 07 generates pictures from captions ("a lake in the mountains at sunset") and asks: does
the picture show what the caption says? The segmenter tells where the sky, water, mountains,
snow and trees are; simple colour statistics of those regions then give the time of day (the
sky's colour) and the season (the ground's colour). Each attribute is compared with the
scene parameters the caption was made from (``SceneParams.to_dict()``).

Colour centroids were measured on 600 training renders (seeds 0-599, 64 px): mean RGB of the
sky per time of day, and the chromaticity (r, g, b divided by their sum) of the grass per
season, separately at night, when the blue moonlight shifts every colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from course_lib.data.landscapes.classes import GRASS, MOUNTAIN, NUM_CLASSES, SKY, SNOW, TREE, WATER

ATTRIBUTES: tuple[str, ...] = (
    "time_of_day", "season", "has_water", "has_mountains", "has_snow", "has_trees",
)
SKY_RGB = {"day": (0.476, 0.672, 0.930), "sunset": (0.578, 0.388, 0.398),
           "night": (0.066, 0.084, 0.160)}
GRASS_CHROMA = {
    False: {"summer": (0.342, 0.510, 0.147), "autumn": (0.502, 0.361, 0.137),
            "winter": (0.365, 0.325, 0.309)},
    True: {"summer": (0.244, 0.498, 0.257), "autumn": (0.378, 0.370, 0.252),
           "winter": (0.239, 0.284, 0.477)},
}
#: Smallest share of the picture for a region to count as present.
MIN_SHARE = {"has_water": 0.005, "has_mountains": 0.01, "has_snow": 0.002, "has_trees": 0.003}


def _nearest(value: np.ndarray, centroids: Mapping[str, tuple[float, ...]]) -> str:
    names = list(centroids)
    dist = [float(np.sum((value - np.asarray(centroids[n])) ** 2)) for n in names]
    return names[int(np.argmin(dist))]


def image_attributes(images: torch.Tensor, label_maps: torch.Tensor) -> list[dict[str, Any]]:
    """Attributes of each picture, given its (predicted) label map.

    ``images``: (N, 3, H, W) float in [-1, 1]; ``label_maps``: (N, H, W) class indices, usually
    ``segmenter.predict(images)``. Returns one dict per picture with the keys of
    :data:`ATTRIBUTES`.
    """
    pictures = ((images.detach().cpu().float() + 1.0) / 2.0).clamp(0, 1).permute(0, 2, 3, 1)
    pictures = pictures.numpy()
    maps = label_maps.detach().cpu().numpy()
    out = []
    for picture, labels in zip(pictures, maps, strict=True):
        share = np.bincount(labels.ravel(), minlength=NUM_CLASSES) / labels.size
        sky = labels == SKY
        top, bottom = picture[: len(labels) // 5 + 1], picture[-(len(labels) // 5 + 1):]
        sky_rgb = picture[sky].mean(0) if sky.any() else top.reshape(-1, 3).mean(0)
        time = _nearest(sky_rgb, SKY_RGB)
        ground = labels == GRASS
        rgb = picture[ground].mean(0) if ground.any() else bottom.reshape(-1, 3).mean(0)
        chroma = rgb / max(float(rgb.sum()), 1e-6)
        out.append({
            "time_of_day": time,
            "season": _nearest(chroma, GRASS_CHROMA[time == "night"]),
            "has_water": bool(share[WATER] >= MIN_SHARE["has_water"]),
            "has_mountains": bool(share[MOUNTAIN] + share[SNOW] >= MIN_SHARE["has_mountains"]),
            "has_snow": bool(share[SNOW] >= MIN_SHARE["has_snow"]),
            "has_trees": bool(share[TREE] >= MIN_SHARE["has_trees"]),
        })
    return out


def predict_attributes(segmenter, images: torch.Tensor) -> list[dict[str, Any]]:
    """Segment ``images`` with ``segmenter``, then read their attributes."""
    return image_attributes(images, segmenter.predict(images))


def attribute_agreement(
    predicted: Sequence[Mapping[str, Any]], params: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """Share of pictures whose attribute matches the scene parameters, per attribute.

    ``params`` are ``SceneParams.to_dict()`` dicts (``has_trees`` is ``n_trees > 0``,
    ``has_water`` is ``water != "none"``). Also returns ``all``: the share matching on every
    attribute at once.
    """
    if len(predicted) != len(params):
        raise ValueError(f"{len(predicted)} predictions for {len(params)} scenes")
    truth = [{
        "time_of_day": p["time_of_day"], "season": p["season"],
        "has_water": p["water"] != "none", "has_mountains": bool(p["has_mountains"]),
        "has_snow": bool(p["has_snow"]), "has_trees": p["n_trees"] > 0,
    } for p in params]
    hits = np.array([[pred[a] == true[a] for a in ATTRIBUTES]
                     for pred, true in zip(predicted, truth, strict=True)], dtype=float)
    scores = {a: float(hits[:, k].mean()) for k, a in enumerate(ATTRIBUTES)}
    scores["all"] = float(hits.all(axis=1).mean())
    return scores
