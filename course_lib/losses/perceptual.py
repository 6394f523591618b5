"""A perceptual distance: how far apart two images are in a frozen network's inner features.

LPIPS (Zhang et al., 2018) compares VGG features of two images at several depths, each
feature vector normalised to unit length, with learned per-channel weights. The course keeps
the first two steps and weighs the channels equally: ``feature_distance`` is the squared
distance of unit feature vectors, averaged over positions, images and depths (0 when the
images are the same, at most 4). Which network gives the features is the caller's choice
(``models.vqgan.SegmenterPerceptual``, ``models.clip.ClipPerceptual``), because VGG's
ImageNet weights cannot be downloaded here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def feature_distance(features: list[torch.Tensor]) -> torch.Tensor:
    """Mean over depths of the per-position squared distance of unit-length feature vectors.

    Each tensor (2N, C, H, W) holds the N images' features and then the N targets'.
    """
    total = features[0].new_zeros(())
    for both in features:
        a, b = F.normalize(both, dim=1, eps=1e-8).chunk(2)
        total = total + (a - b).pow(2).sum(1).mean()
    return total / len(features)
