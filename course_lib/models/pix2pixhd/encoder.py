"""pix2pixHD's optional instance-wise feature encoder E (multimodal synthesis, section 3.4).

G alone maps one label map to one image. To let a user choose the look of each object,
pix2pixHD adds an encoder-decoder E that reads the *real* image and outputs a few feature
channels (3 in the paper); the features are then averaged over each object instance, so every
car (or, here, every region) gets one constant feature vector. These maps are concatenated
to G's input and E is trained jointly with G. At test time the features are picked per
object, e.g. from clusters of the training features, and changing them changes colour and
texture while the layout stays put.

Landscapes has no instance ids; the label map itself serves as the instance map (one "object"
per class present in the scene), which is what pix2pixHD does for classes without instances.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.models.pix2pixhd.blocks import c7s1, down, up


def region_means(features: torch.Tensor, ids: torch.Tensor, k: int | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean features of every (image, id) region, and its pixel count.

    ``features``: (N, C, H, W); ``ids``: (N, H, W) non-negative ints below ``k`` (default:
    the largest id + 1). Returns means (N, k, C) (zero for absent ids) and counts (N, k).
    """
    n, c = features.shape[:2]
    ids = ids.long().reshape(n, -1)
    k = int(ids.max()) + 1 if k is None else k
    index = (ids + torch.arange(n, device=ids.device)[:, None] * k).reshape(-1)  # (N*H*W,)
    flat = features.permute(0, 2, 3, 1).reshape(-1, c)
    sums = flat.new_zeros(n * k, c).index_add_(0, index, flat)
    counts = torch.bincount(index, minlength=n * k)
    means = sums / counts.clamp(min=1).to(flat.dtype)[:, None]
    return means.reshape(n, k, c), counts.reshape(n, k)


def instance_average(features: torch.Tensor, instances: torch.Tensor) -> torch.Tensor:
    """Replace every pixel's features by their mean over its instance (per image).

    ``features``: (N, C, H, W); ``instances``: (N, H, W) or (N, 1, H, W) non-negative ints.
    """
    if instances.ndim == 4:
        instances = instances[:, 0]
    means, _ = region_means(features, instances)  # (N, k, C)
    batch = torch.arange(len(means), device=means.device)[:, None, None]
    return means[batch, instances.long()].permute(0, 3, 1, 2)


class FeatureEncoder(nn.Module):
    """E: image (N, 3, H, W) -> instance-averaged features (N, feat_num, H, W) in [-1, 1].

    Layers (official ``Encoder``): ``c7s1-16, d32, d64, d128, d256, u128, u64, u32, u16``, then
    a 7x7 convolution to ``feat_num`` channels with tanh.
    """

    def __init__(self, in_channels: int = 3, feat_num: int = 3, nef: int = 16,
                 n_downsample: int = 4):
        super().__init__()
        layers = c7s1(in_channels, nef)
        for i in range(n_downsample):
            layers += down(nef * 2**i, nef * 2**(i + 1))
        for i in range(n_downsample, 0, -1):
            layers += up(nef * 2**i, nef * 2**(i - 1))
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(nef, feat_num, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor, instances: torch.Tensor) -> torch.Tensor:
        return instance_average(self.net(images), instances)
