"""Pixels between storage and networks: uint8 in [0, 255] <-> float32 in [-1, 1].

Images are stored and shipped as uint8 (small, exact) and fed to the generative models in
[-1, 1] (the range of a tanh output). One formula each way, used everywhere, so a picture
that goes through a cache, a network and back is always converted the same way.
"""

from __future__ import annotations

import numpy as np
import torch


def from_uint8(images: torch.Tensor | np.ndarray, channels_last: bool = False) -> torch.Tensor:
    """uint8 images -> float32 in [-1, 1]; ``channels_last``: (..., H, W, C) -> (..., C, H, W)."""
    x = torch.as_tensor(images)
    if channels_last:
        x = x.movedim(-1, -3)
    return x.float() / 127.5 - 1.0


def to_uint8(images: torch.Tensor, channels_last: bool = False) -> torch.Tensor:
    """float images in [-1, 1] -> uint8 (rounded, clipped); ``channels_last``: to (..., H, W, C)."""
    x = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.movedim(-3, -1) if channels_last else x
