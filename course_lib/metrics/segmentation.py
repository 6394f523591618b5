"""How well generated Landscapes pictures follow their label maps (the SPADE paper's protocol).

A segmentation network (:class:`course_lib.models.segmenter.Segmenter`) reads the generated
images; :func:`segmentation_scores` compares its prediction with the maps the generator was
given: mean intersection-over-union (over the classes present) and pixel accuracy.
:func:`landscape_fid` is a Frechet distance on the segmenter's pooled features, as Inception
features give one for photos.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from course_lib.metrics.fid import feature_statistics, frechet_distance
from course_lib.models.segmenter import Segmenter


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
    mu_a, sigma_a = feature_statistics(segmenter_features(segmenter, images_a))
    mu_b, sigma_b = feature_statistics(segmenter_features(segmenter, images_b))
    return frechet_distance(mu_a, sigma_a, mu_b, sigma_b)
