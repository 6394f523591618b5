"""pix2pixHD's objective: LSGAN on every discriminator plus lambda-weighted feature matching.

With discriminators D_1, D_2, D_3 (scales 1, 1/2, 1/4), each returning patch scores::

    D minimises  sum_k 0.5 * [ mean (D_k(s, x) - 1)^2 + mean D_k(s, G(s))^2 ]
    G minimises  sum_k mean (D_k(s, G(s)) - 1)^2  +  lambda * L_FM(G, D)

summed over the three discriminators, with ``lambda = 10`` (the paper's and the official
code's values; the means run over all patches of all images, so a patch score map of any
size counts once). Least squares rather than cross-entropy (LSGAN, Mao et al. 2016): a fake
that D already calls real but that is far from the real data still gets a gradient.
The official code also adds a VGG perceptual loss (optional there); this course leaves it
out because VGG weights cannot be downloaded here.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from course_lib.losses.feature_matching import feature_matching_loss
from course_lib.losses.gan import d_loss_lsgan

Outputs = Sequence[Sequence[torch.Tensor]]


def multiscale_d_loss(real_outputs: Outputs, fake_outputs: Outputs) -> torch.Tensor:
    """D's LSGAN loss summed over the discriminators (real patches -> 1, fake patches -> 0)."""
    return sum((d_loss_lsgan(real[-1], fake[-1])
                for real, fake in zip(real_outputs, fake_outputs, strict=True)),
               start=torch.zeros((), device=real_outputs[0][-1].device))


def multiscale_g_gan_loss(fake_outputs: Outputs) -> torch.Tensor:
    """G's LSGAN loss summed over the discriminators: fake patches should score 1."""
    return sum(((fake[-1].float() - 1.0).pow(2).mean() for fake in fake_outputs),
               start=torch.zeros((), device=fake_outputs[0][-1].device))


def pix2pixhd_g_loss(real_outputs: Outputs, fake_outputs: Outputs, lambda_feat: float = 10.0
                     ) -> dict[str, torch.Tensor]:
    """G's total loss and its parts: ``{"loss", "g_gan", "g_feat"}``."""
    gan = multiscale_g_gan_loss(fake_outputs)
    feat = feature_matching_loss(real_outputs, fake_outputs)
    return {"loss": gan + lambda_feat * feat, "g_gan": gan, "g_feat": feat}
