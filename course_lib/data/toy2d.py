"""A 2-D toy data set for GANs: a ring of Gaussians (Mao et al.'s mixture experiment).

Eight small Gaussian blobs on a circle: a generator that learns them all draws eight tight
clusters; one that collapses draws one or two, or a smear between them. Because the true
density is known, coverage can be counted exactly (``course_lib.metrics.modes``) instead of
judged through a classifier, and a run takes seconds on a CPU.
"""

from __future__ import annotations

import math

import torch


def ring_centres(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """(modes, 2) centres evenly spaced on a circle of ``radius``."""
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return torch.stack([radius * angles.cos(), radius * angles.sin()], dim=1).float()


def ring_of_gaussians(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02,
                      seed: int = 0) -> torch.Tensor:
    """(n, 2) points: a uniformly chosen centre of ``ring_centres`` plus N(0, std^2) noise."""
    draw = torch.Generator().manual_seed(seed)
    which = torch.randint(modes, (n,), generator=draw)
    return ring_centres(modes, radius)[which] + std * torch.randn(n, 2, generator=draw)
