"""The label classes of Landscapes, their fixed plot colours, and colouring a label map."""

from __future__ import annotations

import numpy as np

#: Class names in index order: label value ``i`` in a map means ``CLASSES[i]``.
CLASSES: tuple[str, ...] = (
    "sky", "cloud", "mountain", "snow", "water", "grass", "tree", "rock", "sand",
)
NUM_CLASSES: int = len(CLASSES)
SKY, CLOUD, MOUNTAIN, SNOW, WATER, GRASS, TREE, ROCK, SAND = range(NUM_CLASSES)

#: One fixed RGB colour (0-255) per class, for plotting label maps (not the painted colours).
CLASS_COLORS: np.ndarray = np.array(
    [
        [135, 206, 250],  # sky: light blue
        [230, 230, 240],  # cloud: near white
        [120, 100, 90],   # mountain: grey brown
        [255, 255, 255],  # snow: white
        [30, 80, 200],    # water: blue
        [90, 180, 60],    # grass: green
        [20, 100, 30],    # tree: dark green
        [150, 150, 150],  # rock: grey
        [230, 200, 130],  # sand: beige
    ],
    dtype=np.uint8,
)
CLASS_COLORS.setflags(write=False)


def colorize(labels: np.ndarray) -> np.ndarray:
    """Turn an index label map (..., H, W) into an RGB uint8 picture (..., H, W, 3)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"label values must lie in 0..{NUM_CLASSES - 1}")
    return CLASS_COLORS[labels]
