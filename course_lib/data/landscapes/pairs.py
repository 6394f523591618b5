"""``LandscapePairs``: the first scenes of a split as (photo, label map) tensors.

What the translation units (05 pix2pixHD, 06 SPADE) train on and are scored on: the cached
renders of :func:`course_lib.data.landscapes.dataset.cached_split`, photos in [-1, 1] (what a
generator outputs) and the class index maps they were painted from.
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib.data.landscapes.dataset import cached_split
from course_lib.data.pixels import from_uint8


class LandscapePairs(torch.utils.data.Dataset):
    """The first ``n`` scenes of a Landscapes split as (image in [-1, 1], labels) pairs."""

    def __init__(self, split: str = "train", n: int = 1000, size: int = 64,
                 progress: bool = False):
        images, labels = cached_split(split, size, n, progress=progress)
        self.images = torch.from_numpy(np.array(images)).permute(0, 3, 1, 2)  # a copy
        self.labels = torch.from_numpy(np.array(labels))

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.photos(index), self.labels[index].long()

    def photos(self, index: int | slice = slice(None)) -> torch.Tensor:
        """The stored uint8 renders at ``index`` as floats in [-1, 1] (what G outputs)."""
        return from_uint8(self.images[index])
