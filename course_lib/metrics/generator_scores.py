"""The quality figures of units 03-04's Fashion-MNIST generators, from one FashionCNN pass.

FID on FashionCNN features against real test images, the classes the samples cover, their
KL divergence to the uniform class mix, and the share of samples FashionCNN is sure about.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

#: FashionCNN's probability at or above which an image counts as "confident".
CONFIDENT = 0.9


def confident_share(probabilities: np.ndarray) -> float:
    """The share of images whose top FashionCNN probability is at least ``CONFIDENT``."""
    return float((probabilities.max(axis=1) >= CONFIDENT).mean())


def confident_by_class(probabilities: np.ndarray) -> np.ndarray:
    """For each of the 10 classes, the confident share of the images FashionCNN puts in it.

    Says where a generator's shortfall in ``confident_share`` lies: NaN for a class no image
    was put in.
    """
    top, sure = probabilities.argmax(axis=1), probabilities.max(axis=1) >= CONFIDENT
    return np.array([sure[top == c].mean() if (top == c).any() else np.nan
                     for c in range(probabilities.shape[1])])


@torch.no_grad()
def score_generator(generator: nn.Module, n: int = 2000, seed: int = 1234) -> dict[str, float]:
    """FashionCNN FID and class coverage of ``n`` samples (units 03-04's quality figures).

    The samples come from ``n`` noise vectors drawn with ``seed``; :func:`score_samples`
    scores them. Returns ``fid``, ``covered`` (classes out of 10 with >= 2% of the samples),
    ``kl_to_uniform`` (nats), ``confident`` (the share of samples FashionCNN gives a
    probability of at least 0.9) and ``n``.
    """
    from course_lib.models.fashion_gan import sample

    was_training = generator.training
    samples = sample(generator.eval(), n, seed)
    generator.train(was_training)
    return score_samples(samples)


def score_samples(samples: torch.Tensor) -> dict[str, float]:
    """:func:`score_generator`'s figures for generated images in [-1, 1], however they were
    drawn (a truncated z, another sampler). FID compares them with as many Fashion-MNIST test
    images, the first ones: equal set sizes, so FID's small-sample bias is the same for every
    generator scored this way."""
    from course_lib.data.fashion_mnist import load_fashion_mnist
    from course_lib.metrics import fashion_fid
    from course_lib.metrics.coverage import coverage_from_predictions
    from course_lib.metrics.fashion_features import fashion_probabilities

    n = len(samples)
    (_, _), (x_test, _) = load_fashion_mnist()
    probabilities = fashion_probabilities(samples, value_range="symmetric")
    coverage = coverage_from_predictions(probabilities.argmax(axis=1))
    return {"fid": fashion_fid(samples, x_test[:n], value_range="symmetric"),
            "covered": coverage.covered, "kl_to_uniform": coverage.kl_to_uniform,
            "confident": confident_share(probabilities), "n": n}
