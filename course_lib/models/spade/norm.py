"""The SPADE layer: normalise without parameters, then modulate with the label map, per pixel.

Batch or instance norm ends with a learned affine step ``gamma * x_hat + beta`` where gamma
and beta are one number per channel. pix2pixHD feeds the label map only to its first layer;
on a map of one class everywhere that layer's output is uniform, and the first normalisation
subtracts the mean and erases it: the class is forgotten. SPADE (Park et al., 2019) drops the
learned affine step of the norm and computes gamma and beta *per pixel* from the label map,
in every layer::

    x_hat = (x - mean) / std                       # parameter-free norm
    m     = nearest-resize(label map, size of x)   # never blend class channels
    a     = ReLU(conv_shared(m))                   # shared embedding, ``hidden`` channels
    out   = x_hat * (1 + conv_gamma(a)) + conv_beta(a)

The map is resized with ``mode="nearest"`` so that each pixel still holds exactly one class
(a bilinear resize would invent pixels that are 40 % water and 60 % sand). ``1 + gamma``
(the official code's form) starts the layer near the identity.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def parameter_free_norm(kind: str, channels: int) -> nn.Module:
    """Batch norm (the paper's sync batch norm on one process) or instance norm, no affine."""
    if kind == "batch":
        return nn.BatchNorm2d(channels, affine=False)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False)
    raise ValueError(f"norm must be 'batch' or 'instance', got {kind!r}")


class SPADE(nn.Module):
    """Spatially-adaptive (de)normalisation of ``channels`` features by a ``label_nc`` map."""

    def __init__(self, channels: int, label_nc: int, hidden: int = 128, kernel_size: int = 3,
                 norm: str = "batch") -> None:
        super().__init__()
        pad = kernel_size // 2
        self.norm = parameter_free_norm(norm, channels)
        self.shared = nn.Sequential(nn.Conv2d(label_nc, hidden, kernel_size, padding=pad),
                                    nn.ReLU())
        self.gamma = nn.Conv2d(hidden, channels, kernel_size, padding=pad)
        self.beta = nn.Conv2d(hidden, channels, kernel_size, padding=pad)

    def modulation(self, segmap: torch.Tensor, size: tuple[int, int]
                   ) -> tuple[torch.Tensor, torch.Tensor]:
        """gamma and beta (N, channels, *size) for a one-hot map (N, label_nc, H, W).

        They depend on the map and the size only, not on the features: the tree intuition
        figure of the lecture calls this for every layer of a trained generator.
        """
        segmap = F.interpolate(segmap, size=tuple(size), mode="nearest")
        hidden = self.shared(segmap)
        return self.gamma(hidden), self.beta(hidden)

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.modulation(segmap, x.shape[-2:])
        return self.norm(x) * (1 + gamma) + beta
