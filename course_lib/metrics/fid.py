"""Frechet Inception Distance (Heusel et al., 2017), here on FashionCNN features.

FID compares two sets of images by the statistics of their features: fit a Gaussian
N(mu, Sigma) to each set's features and take the Frechet (2-Wasserstein) distance

    FID = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)).

Zero means identical statistics; it grows both when samples look wrong (the means move) and
when they lack variety (the covariances shrink, e.g. under mode collapse). The original uses
Inception-v3 features of ImageNet photos; for 28x28 clothes the course's own FashionCNN
(``course_lib.models.fashion_cnn``) gives far more meaningful features and runs on a CPU.
FID values are only comparable when computed with the same network and similar sample counts
(FID is biased upwards for small samples): use a few thousand images per set.

Image inputs follow ``course_lib.metrics.fashion_features``: tensors or arrays of shape
(N, 1, 28, 28) or (N, 28, 28) in [0, 1], or in [-1, 1] with ``value_range="symmetric"``.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import scipy.linalg

from course_lib.metrics.fashion_features import ValueRange, fashion_features


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of features (N, D), in float64."""
    feats = np.asarray(features, dtype=np.float64)
    if feats.ndim != 2 or len(feats) < 2:
        raise ValueError(f"Expected features of shape (N, D) with N >= 2, got {feats.shape}.")
    if len(feats) < feats.shape[1]:
        warnings.warn(f"Only {len(feats)} samples for {feats.shape[1]} feature dimensions: the "
                      "covariance is singular and FID will be biased upwards.", stacklevel=2)
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2).

    The matrix square root of ``sigma1 @ sigma2`` comes from ``scipy.linalg.sqrtm``. Round-off
    makes it slightly complex even for valid covariances: small imaginary parts are dropped,
    large ones raise. When the product is (near) singular, ``eps`` is added to both diagonals.
    """
    mu1 = np.atleast_1d(np.asarray(mu1, np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise ValueError(f"Shapes do not match: mu {mu1.shape} vs {mu2.shape}, "
                         f"sigma {sigma1.shape} vs {sigma2.shape}.")
    diff = mu1 - mu2
    with warnings.catch_warnings():  # singular products are expected and handled below
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
        if not np.isfinite(covmean).all():
            offset = np.eye(len(sigma1)) * eps
            covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        scale = max(np.abs(covmean.real).max(), 1.0)
        if np.abs(covmean.imag).max() > 1e-3 * scale:
            raise ValueError(f"The matrix square root has a large imaginary part "
                             f"({np.abs(covmean.imag).max():.3g}): are the covariances valid?")
        covmean = covmean.real
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    return float(max(value, 0.0))  # tiny negative values are round-off


@lru_cache(maxsize=4)
def real_statistics(split: str = "test", limit: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """FashionCNN feature statistics of real Fashion-MNIST images (cached per process)."""
    from course_lib.data.fashion_mnist import load_fashion_mnist

    (x_train, _), (x_test, _) = load_fashion_mnist()
    images = {"train": x_train, "test": x_test}[split][:limit]
    return feature_statistics(fashion_features(images))


def fashion_fid(images_a, images_b="test", net=None, value_range: ValueRange = "unit",
                value_range_b: ValueRange | None = None) -> float:
    """FID between two image sets on FashionCNN features (the shipped checkpoint by default).

    ``images_b`` may also be ``"test"`` or ``"train"``: the real split's statistics, cached,
    which is how units 03-04 score a generator (``fashion_fid(samples)``).
    ``value_range`` describes ``images_a``; ``value_range_b`` (default: the same) ``images_b``.
    """
    mu_a, sigma_a = feature_statistics(fashion_features(images_a, net, value_range))
    if isinstance(images_b, str):
        if net is not None:
            raise ValueError("Real statistics are cached for the shipped network only; "
                             "pass real images instead of a split name when using your own net.")
        mu_b, sigma_b = real_statistics(images_b)
    else:
        feats_b = fashion_features(images_b, net, value_range_b or value_range)
        mu_b, sigma_b = feature_statistics(feats_b)
    return frechet_distance(mu_a, sigma_a, mu_b, sigma_b)
