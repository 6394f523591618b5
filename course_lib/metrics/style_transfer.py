"""Does a style code carry the style? Read the time of day and season back from generated images.

SPADE's style encoder turns a picture into z; the generator then paints *another* label map
with that z. If the code carries the lighting and season, the generated picture should show
the source picture's time of day and season, whatever the target map is. This module measures
it: for source renders of each time of day (season), encode, generate on different test maps,
and classify the results with the colour statistics of
:mod:`course_lib.metrics.landscape_attributes` (sky colour -> time of day, grass colour ->
season; regions from the target label map). The result is a table: rows are the source
style, columns the style read from the generated images. Chance is 1/3 per column; the random-z
row says how often each style appears without any style code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from course_lib.data.landscapes.scene import SEASONS, TIMES_OF_DAY, sample_scene
from course_lib.data.pixels import from_uint8


def scenes_by_style(split: str, n: int, attribute: str) -> dict[str, list[int]]:
    """Indices of the first ``n`` scenes of ``split`` grouped by ``attribute``'s value
    (``time_of_day`` or ``season``)."""
    from course_lib.data.landscapes.dataset import split_seeds

    groups: dict[str, list[int]] = {}
    for index, seed in enumerate(split_seeds(split, n)):
        groups.setdefault(getattr(sample_scene(int(seed)), attribute), []).append(index)
    return groups


@torch.no_grad()
def style_transfer_table(model, attribute: str = "time_of_day", n_scenes: int = 600,
                         per_style: int = 60, size: int = 64, seed: int = 0
                         ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows: source style (and ``random z``); columns: share of generated images read as each
    style. Sources and target maps are different test scenes (the first ``n_scenes``).

    ``model`` is a ``StyledSPADE`` with an encoder. Returns the table and a summary with the
    mean diagonal (how often the style is carried over) and the chance level.
    """
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.metrics.landscape_attributes import image_attributes
    from course_lib.models.label_maps import generate

    if attribute not in ("time_of_day", "season"):
        raise ValueError(f"attribute must be 'time_of_day' or 'season', got {attribute!r}")
    values = TIMES_OF_DAY if attribute == "time_of_day" else SEASONS
    images, labels = cached_split("test", size, n_scenes, progress=False)
    groups = scenes_by_style("test", n_scenes, attribute)
    rng = np.random.default_rng(seed)
    targets = torch.from_numpy(np.array(labels[rng.choice(n_scenes, per_style, replace=False)],
                                        dtype=np.int64))
    rows = {}
    for value in values:
        if len(groups.get(value, [])) < 1:
            continue
        sources = rng.choice(groups[value], per_style, replace=len(groups[value]) < per_style)
        pictures = torch.from_numpy(np.array(images[np.sort(sources)])).permute(0, 3, 1, 2)
        z = model.style_code(from_uint8(pictures))
        rows[value] = _read(generate(model, targets, z=z), targets, attribute, values,
                            image_attributes)
    rows["random z"] = _read(generate(model, targets, seed=seed), targets, attribute,
                             values, image_attributes)
    table = pd.DataFrame(rows).T[list(values)]
    diagonal = float(np.mean([table.loc[v, v] for v in values if v in table.index]))
    return table, {"attribute": attribute, "carried_over": diagonal, "chance": 1 / len(values),
                   "per_style": per_style}


def _read(images, labels, attribute, values, image_attributes) -> dict[str, float]:
    found = [a[attribute] for a in image_attributes(images, labels)]
    return {v: float(np.mean([f == v for f in found])) for v in values}
