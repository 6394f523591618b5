"""Adversarial losses: Goodfellow et al. (2014), both generator forms, and LSGAN (Mao et al. 2016).

The discriminator D returns one raw score per image (a *logit*). For the original GAN,
the probability "real" is ``sigmoid(score)``; the losses below take logits rather than
probabilities because ``log(sigmoid(s))`` computed as ``-softplus(-s)`` never returns
``-inf`` and is allowed under mixed-precision autocast, while ``log`` of a rounded
probability can be.

Original GAN, value function ``V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))]``:

- D maximises V, i.e. minimises the binary cross-entropy with real = 1 and fake = 0
  (``d_loss_bce``).
- G minimises V. Its term ``log(1 - D(G(z)))`` is the *minimax* or *saturating* loss
  (``g_loss_saturating``): when D confidently rejects the fakes, D(G(z)) -> 0, the curve is
  flat there and G's gradient vanishes. Goodfellow et al. suggest maximising ``log D(G(z))``
  instead (``g_loss_nonsaturating``): same fixed point, strong gradients early on.

LSGAN replaces the cross-entropy by squared errors towards target values coded a (fake),
b (real) and c (the value G wants D to give its fakes); Mao et al. use a = 0, b = 1, c = 1.
A fake that D already calls real but that lies far from the real data still has a large
squared error, so G keeps receiving gradient instead of saturating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def d_loss_bce(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """D's loss: ``-mean(log D(x)) - mean(log(1 - D(G(z))))``, with D = sigmoid(logits)."""
    return F.softplus(-real_logits.float()).mean() + F.softplus(fake_logits.float()).mean()


def d_loss_bce_smoothed(real_logits: Tensor, fake_logits: Tensor, real_target: float = 0.9
                        ) -> Tensor:
    """``d_loss_bce`` with the real images' target lowered from 1 to ``real_target``
    (one-sided label smoothing, Salimans et al. 2016); the fakes' target stays 0."""
    real = real_logits.float()
    return (real_target * F.softplus(-real) + (1 - real_target) * F.softplus(real)).mean() \
        + F.softplus(fake_logits.float()).mean()


def g_loss_saturating(fake_logits: Tensor) -> Tensor:
    """G's minimax loss ``mean(log(1 - D(G(z))))``: it saturates when D wins (D(G(z)) -> 0)."""
    return -F.softplus(fake_logits.float()).mean()


def g_loss_nonsaturating(fake_logits: Tensor) -> Tensor:
    """G's non-saturating loss ``-mean(log D(G(z)))``: steep where the minimax one is flat."""
    return F.softplus(-fake_logits.float()).mean()


@dataclass(frozen=True)
class LSGANCoding:
    """LSGAN's target values: a for fakes and b for reals in D's loss, c for fakes in G's loss."""

    a: float = 0.0
    b: float = 1.0
    c: float = 1.0


def d_loss_lsgan(real_scores: Tensor, fake_scores: Tensor,
                 coding: LSGANCoding = LSGANCoding()) -> Tensor:
    """D's LSGAN loss ``0.5 * mean((D(x) - b)^2) + 0.5 * mean((D(G(z)) - a)^2)``."""
    real = (real_scores.float() - coding.b).pow(2).mean()
    fake = (fake_scores.float() - coding.a).pow(2).mean()
    return 0.5 * real + 0.5 * fake


def g_loss_lsgan(fake_scores: Tensor, coding: LSGANCoding = LSGANCoding()) -> Tensor:
    """G's LSGAN loss ``0.5 * mean((D(G(z)) - c)^2)``."""
    return 0.5 * (fake_scores.float() - coding.c).pow(2).mean()


@dataclass(frozen=True)
class GANLoss:
    """A pair of losses (D's and G's) plus how to read D's raw score as a number to log.

    ``score`` turns D's output into what the history shows as D(x) and D(G(z)): a probability
    for the cross-entropy losses, the raw least-squares score for LSGAN.
    """

    name: str
    d: Callable[[Tensor, Tensor], Tensor]
    g: Callable[[Tensor], Tensor]
    score: Callable[[Tensor], Tensor]


def gan_loss(name: str) -> GANLoss:
    """The losses by name: ``minimax`` (saturating G), ``nonsaturating`` or ``lsgan``."""
    losses = {
        "minimax": GANLoss("minimax", d_loss_bce, g_loss_saturating, torch.sigmoid),
        "nonsaturating": GANLoss("nonsaturating", d_loss_bce, g_loss_nonsaturating,
                                 torch.sigmoid),
        "lsgan": GANLoss("lsgan", d_loss_lsgan, g_loss_lsgan, lambda scores: scores),
    }
    if name not in losses:
        raise ValueError(f"unknown GAN loss {name!r}; choose one of {sorted(losses)}")
    return losses[name]


def one_sided_smoothing(loss: GANLoss, real_target: float = 0.9) -> GANLoss:
    """``loss`` with D trained towards ``real_target`` instead of 1 on real images.

    A D that may never be fully sure of the reals keeps finite logits, so the fakes it
    rejects still get a useful gradient: the remedy for collapse that unit 03 measures.
    """
    if loss.d is not d_loss_bce:
        raise ValueError(f"one-sided smoothing needs a cross-entropy D loss, not {loss.name}")
    return GANLoss(f"{loss.name}+smoothing{real_target:g}",
                   lambda real, fake: d_loss_bce_smoothed(real, fake, real_target),
                   loss.g, loss.score)
