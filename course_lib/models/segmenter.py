"""A small U-Net that segments Landscapes pictures, used to score generated images.

pix2pixHD and SPADE (units 05-06) are judged the way the SPADE paper judges them: run a
segmentation network on the generated images and compare its prediction with the label map
the generator was given. If the generator drew a lake where the map says lake, the segmenter
finds one there. ``course_lib.metrics.segmentation`` computes the figures of that protocol
(mean intersection-over-union over the classes present, pixel accuracy) and, on the
segmenter's pooled features, a Landscapes FID, as Inception features give one for photos.

The network (Ronneberger et al., 2015, scaled down): an encoder of conv-BN-ReLU pairs that
halves the resolution ``depth`` times, a decoder that upsamples and concatenates the encoder
features of the same resolution (the skip connections that keep edges sharp), and a 1x1
convolution to class scores. Input: images (N, 3, H, W) in [-1, 1], H and W divisible by
``2**depth``. A trained checkpoint ships in ``course_lib/checkpoints/landscapes_segmenter``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.models.weights_file import ModelFiles

CHECKPOINT_NAME = "landscapes_segmenter"


@dataclass
class SegmenterConfig:
    """Size of the U-Net: ``width`` channels at full resolution, doubled at each of ``depth``
    downsamplings."""

    num_classes: int = NUM_CLASSES
    width: int = 16
    depth: int = 3


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Segmenter(nn.Module):
    """U-Net: ``forward(images)`` gives class scores (N, C, H, W); ``features`` pooled vectors."""

    def __init__(self, config: SegmenterConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or SegmenterConfig()
        widths = [config.width * 2**k for k in range(config.depth + 1)]
        self.down = nn.ModuleList(
            [_block(3, widths[0])] + [_block(widths[k - 1], widths[k])
                                      for k in range(1, config.depth + 1)])
        self.up = nn.ModuleList(
            [_block(widths[k + 1] + widths[k], widths[k]) for k in reversed(range(config.depth))])
        self.head = nn.Conv2d(widths[0], config.num_classes, 1)

    def _encode(self, images: torch.Tensor) -> list[torch.Tensor]:
        size = 2**self.config.depth
        if images.shape[-1] % size or images.shape[-2] % size:
            raise ValueError(f"image height and width must be multiples of {size}, "
                             f"got {tuple(images.shape[-2:])}")
        skips = [self.down[0](images)]
        for block in self.down[1:]:
            skips.append(block(F.max_pool2d(skips[-1], 2)))
        return skips

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        skips = self._encode(images)
        x = skips[-1]
        for block, skip in zip(self.up, reversed(skips[:-1]), strict=True):
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)

    @torch.no_grad()
    def predict(self, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Class index maps (N, H, W) int64, computed in eval mode in batches."""
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        out = [self(images[i:i + batch_size].to(device)).argmax(1).cpu()
               for i in range(0, len(images), batch_size)]
        self.train(was_training)
        return torch.cat(out)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Feature vectors (N, D) for FID: the spatial mean of the two deepest encoder levels.

        D = 12 * width (192 for the default width 16): the bottleneck (8 * width channels)
        describes what the picture holds, the level above it (4 * width) its textures.
        """
        skips = self._encode(images)
        return torch.cat([skips[-1].mean(dim=(2, 3)), skips[-2].mean(dim=(2, 3))], dim=1)


FILES = ModelFiles(Segmenter, SegmenterConfig, CHECKPOINT_NAME, "segmenter",
                   "course train segmenter")
save_segmenter = FILES.save  # fp16 weights + sidecar
load_segmenter = FILES.load  # default: the shipped checkpoint, eval mode, float32
checkpoint_info = FILES.info  # the sidecar: command, seed, date, measured quality
