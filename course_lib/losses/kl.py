"""The KL term of a VAE: how far an encoder's Gaussian N(mu, sigma^2) is from N(0, I).

For one image with a diagonal Gaussian over z (``logvar = log sigma^2``), in closed form::

    KL(N(mu, sigma^2) || N(0, I)) = -1/2 * sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))

It is 0 exactly when mu = 0 and sigma = 1. SPADE adds it, weighted by ``lambda_kld = 0.05``,
to the generator's loss so that style codes stay close to N(0, I); then a random z from
N(0, I) is also a valid style. The official code sums over the batch as well as over z
(``reduction="sum"``), so its weight depends on the batch size; ``"mean"`` averages over the
images instead.
"""

from __future__ import annotations

import torch

#: SPADE's weight of the KL term (``--lambda_kld``).
LAMBDA_KLD = 0.05


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) summed over z; ``reduction`` over the batch: sum|mean."""
    per_image = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).float().sum(dim=1)
    if reduction == "sum":
        return per_image.sum()
    if reduction == "mean":
        return per_image.mean()
    raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
