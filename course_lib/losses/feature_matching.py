"""Feature matching (pix2pixHD, Wang et al. 2018): make D's inner features of a fake look real.

The adversarial loss only uses D's last output. Feature matching also compares what D *sees*:
for every discriminator k and every intermediate layer i (all but the scores), the mean
absolute difference between D's features of the real pair (map, photo) and of the generated
pair (map, G(map))::

    L_FM = sum_k sum_i mean |D_k^(i)(s, x) - D_k^(i)(s, G(s))|  /  num_D

This is a reconstruction loss measured in D's feature spaces rather than in pixels, so G is
pushed towards real statistics at several levels of detail, which steadies training. The
real features are fixed targets (detached): the loss trains G only. Dividing by the number of
discriminators is what both official implementations do (pix2pixHD also weights each layer
by ``4 / (n_layers + 1)``, which is 1 for the usual ``n_layers=3``; SPADE does not).
pix2pixHD's generator minimises ``L_GAN + lambda * L_FM`` with ``lambda = 10``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

Features = Sequence[Sequence[torch.Tensor]]


def feature_matching_loss(real_features: Features, fake_features: Features) -> torch.Tensor:
    """L1 feature matching, averaged over discriminators and summed over their inner layers.

    Both arguments are what ``MultiscaleDiscriminator`` returns: one list per discriminator,
    each ending with the patch scores, which are left out here.
    """
    if len(real_features) != len(fake_features) or not real_features:
        raise ValueError(f"expected the outputs of the same discriminators, got "
                         f"{len(real_features)} real and {len(fake_features)} fake scales")
    loss = fake_features[0][-1].new_zeros((), dtype=torch.float32)
    for real, fake in zip(real_features, fake_features, strict=True):
        for r, f in zip(real[:-1], fake[:-1], strict=True):
            loss = loss + (f.float() - r.detach().float()).abs().mean()
    return loss / len(real_features)
