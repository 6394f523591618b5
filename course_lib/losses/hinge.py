"""Hinge adversarial loss (Lim and Ye, 2017; Miyato et al., 2018), SPADE's replacement for LSGAN.

D is pushed to score reals above +1 and fakes below -1, and nothing more: a real scored 3
costs the same as one scored 1, so D stops pulling on examples it already separates by a
margin, which keeps its scores bounded. G simply raises D's score of its fakes::

    L_D = mean(max(0, 1 - D(x))) + mean(max(0, 1 + D(G(z))))
    L_G = -mean(D(G(z)))

Multi-scale discriminators return one score map per scale; the official code averages the
loss over the scales (``hinge_d_multiscale`` / ``hinge_g_multiscale``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def d_loss_hinge(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """D's hinge loss ``mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))``."""
    return F.relu(1.0 - real_scores.float()).mean() + F.relu(1.0 + fake_scores.float()).mean()


def g_loss_hinge(fake_scores: Tensor) -> Tensor:
    """G's hinge loss ``-mean(D(G(z)))``: no margin, G always wants a higher score."""
    return -fake_scores.float().mean()


def _last(scores: Tensor | Sequence[Tensor]) -> Tensor:
    """A scale's patch scores: the tensor itself, or the last entry of its feature list."""
    return scores[-1] if isinstance(scores, (list, tuple)) else scores


def hinge_d_multiscale(real: Sequence, fake: Sequence) -> Tensor:
    """D's hinge loss averaged over the scales of a multi-scale discriminator."""
    losses = [d_loss_hinge(_last(r), _last(f)) for r, f in zip(real, fake, strict=True)]
    return torch.stack(losses).mean()


def hinge_g_multiscale(fake: Sequence) -> Tensor:
    """G's hinge loss averaged over the scales."""
    return torch.stack([g_loss_hinge(_last(f)) for f in fake]).mean()
