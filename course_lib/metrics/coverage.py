"""Class coverage: does a generator draw all ten kinds of clothes, and evenly?

A classifier (the shipped FashionCNN) labels each generated image; the histogram of its
predictions tells what FID summarises into one number:

- ``covered``: how many classes get at least ``min_share`` of the samples. The default,
  a fifth of a fair share (2% for ten classes), ignores the odd stray prediction but still
  counts a class the generator draws rarely. Mode collapse shows up as a small count.
- ``kl_to_uniform``: KL(histogram || uniform) in nats: 0 for perfectly balanced classes,
  log(10) = 2.30 when every sample lands in one class.

Real test images score 10/10 and a KL near zero (Fashion-MNIST is balanced, and the
classifier is right 93% of the time); those are the reference values for a generator.
Images: as for ``course_lib.metrics.fid`` ((N, 1, 28, 28) or (N, 28, 28), [0, 1] or
[-1, 1] with ``value_range="symmetric"``). Use a few hundred samples or more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.metrics.fashion_features import ValueRange, fashion_predictions


@dataclass
class ClassCoverage:
    """Result of ``class_coverage``; ``print()`` it for a one-line summary."""

    covered: int  # classes with at least min_share of the samples
    n_classes: int
    histogram: np.ndarray  # share of the samples per class, sums to 1
    kl_to_uniform: float  # nats
    min_share: float
    n_samples: int

    def __str__(self) -> str:
        return (f"{self.covered}/{self.n_classes} classes covered (each with >= "
                f"{self.min_share:.1%} of {self.n_samples} samples), "
                f"KL to uniform {self.kl_to_uniform:.3f} nats")


def kl_to_uniform(histogram) -> float:
    """KL divergence (nats) of a class histogram from the uniform distribution."""
    p = np.asarray(histogram, dtype=np.float64)
    p = p / p.sum()
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log(p[nonzero] * len(p))))


def coverage_from_predictions(predictions, n_classes: int = 10,
                              min_share: float | None = None) -> ClassCoverage:
    """Coverage of predicted class labels (the part of ``class_coverage`` after the network)."""
    predictions = np.asarray(predictions, dtype=np.int64).ravel()
    if len(predictions) == 0:
        raise ValueError("No predictions: pass at least one sample.")
    min_share = 0.2 / n_classes if min_share is None else min_share
    histogram = np.bincount(predictions, minlength=n_classes)[:n_classes] / len(predictions)
    return ClassCoverage(covered=int((histogram >= min_share).sum()), n_classes=n_classes,
                         histogram=histogram, kl_to_uniform=kl_to_uniform(histogram),
                         min_share=min_share, n_samples=len(predictions))


def class_coverage(images, net=None, value_range: ValueRange = "unit",
                   min_share: float | None = None) -> ClassCoverage:
    """Which Fashion-MNIST classes a batch of (generated) images covers, per FashionCNN."""
    return coverage_from_predictions(fashion_predictions(images, net, value_range),
                                     min_share=min_share)
