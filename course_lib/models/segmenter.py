"""A small U-Net that segments Landscapes pictures, used to score generated images.

pix2pixHD and SPADE (units 05-06) are judged the way the SPADE paper judges them: run a
segmentation network on the generated images and compare its prediction with the label map
the generator was given. If the generator drew a lake where the map says lake, the segmenter
finds one there. :func:`segmentation_scores` returns the two figures of that protocol, mean
intersection-over-union (over the classes present) and pixel accuracy. The segmenter's pooled
features also give a Landscapes FID (:func:`landscape_fid`), as Inception features do for photos.

The network (Ronneberger et al., 2015, scaled down): an encoder of conv-BN-ReLU pairs that
halves the resolution ``depth`` times, a decoder that upsamples and concatenates the encoder
features of the same resolution (the skip connections that keep edges sharp), and a 1x1
convolution to class scores. Input: images (N, 3, H, W) in [-1, 1], H and W divisible by
``2**depth``. A trained checkpoint ships in ``course_lib/checkpoints/landscapes_segmenter``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,  # noqa: F401  (re-exported: the CLI's default output folder)
    checkpoint_path,
    load_weights,
    read_sidecar,
    save_weights,
)

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


def confusion(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Confusion matrix (C, C) int64: rows are true classes, columns predicted ones."""
    index = target.reshape(-1).long() * num_classes + pred.reshape(-1).long()
    return torch.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)


def scores_from_confusion(matrix: torch.Tensor) -> dict[str, Any]:
    """mIoU over the classes present in the ground truth, pixel accuracy, per-class IoU."""
    m = matrix.double()
    true = m.sum(1)
    inter = m.diag()
    union = true + m.sum(0) - inter
    present = true > 0
    iou = torch.where(union > 0, inter / union.clamp(min=1), torch.nan)
    return {
        "miou": float(iou[present].mean()) if present.any() else float("nan"),
        "pixel_accuracy": float(inter.sum() / m.sum().clamp(min=1)),
        "iou_per_class": iou.tolist(),
        "present": present.tolist(),
    }


def segmentation_scores(
    segmenter: Segmenter, images: torch.Tensor, label_maps: torch.Tensor, batch_size: int = 256
) -> dict[str, Any]:
    """Score images against the label maps they should show (the SPADE paper's protocol).

    ``images``: (N, 3, H, W) float in [-1, 1] (e.g. a generator's output); ``label_maps``:
    (N, H, W) class indices. The confusion matrix is summed over all pixels of all images, then
    IoU = TP / (TP + FP + FN) per class; ``miou`` averages it over the classes present in the
    label maps (a class that never occurs is not counted as zero). Returns a dict with ``miou``,
    ``pixel_accuracy``, ``iou_per_class`` (NaN where a class neither occurs nor is predicted)
    and ``present``.
    """
    if images.ndim != 4 or label_maps.ndim != 3 or images.shape[0] != label_maps.shape[0]:
        raise ValueError(f"expected images (N, 3, H, W) and label maps (N, H, W), got "
                         f"{tuple(images.shape)} and {tuple(label_maps.shape)}")
    if images.shape[-2:] != label_maps.shape[-2:]:
        raise ValueError(f"images are {tuple(images.shape[-2:])} but label maps are "
                         f"{tuple(label_maps.shape[-2:])}")
    if images.min() >= 0 and images.max() > 1.0 + 1e-3:
        raise ValueError("images look like 0-255 values: scale them to [-1, 1] first")
    pred = segmenter.predict(images, batch_size)
    matrix = confusion(pred, label_maps, segmenter.config.num_classes)
    return scores_from_confusion(matrix)


@torch.no_grad()
def segmenter_features(segmenter: Segmenter, images: torch.Tensor, batch_size: int = 256
                       ) -> np.ndarray:
    """Features (N, D) float64 of ``images`` (N, 3, H, W) in [-1, 1], in eval mode."""
    was_training = segmenter.training
    segmenter.eval()
    device = next(segmenter.parameters()).device
    out = [segmenter.features(images[i:i + batch_size].to(device)).double().cpu()
           for i in range(0, len(images), batch_size)]
    segmenter.train(was_training)
    return torch.cat(out).numpy()


def landscape_fid(segmenter: Segmenter, images_a: torch.Tensor, images_b: torch.Tensor) -> float:
    """FID between two sets of Landscapes images, on segmenter features (use 500+ per set)."""
    from course_lib.metrics.fid import feature_statistics, frechet_distance

    mu_a, sigma_a = feature_statistics(segmenter_features(segmenter, images_a))
    mu_b, sigma_b = feature_statistics(segmenter_features(segmenter, images_b))
    return frechet_distance(mu_a, sigma_a, mu_b, sigma_b)


def save_segmenter(segmenter: Segmenter, path: str | Path, meta: dict[str, Any]) -> Path:
    """Write fp16 safetensors plus a JSON sidecar (config and ``meta``), atomically."""
    return save_weights(segmenter.state_dict(), path, {"config": asdict(segmenter.config), **meta})


def load_segmenter(path: str | Path | None = None, device: str | torch.device = "cpu"
                   ) -> Segmenter:
    """Load a segmenter (default: the shipped checkpoint) in eval mode, float32."""
    state, meta = load_weights(checkpoint_path(path, CHECKPOINT_NAME), "segmenter",
                               "course train segmenter")
    model = Segmenter(SegmenterConfig(**meta["config"]))
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of a segmenter checkpoint (command, seed, date, measured quality)."""
    return read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))
