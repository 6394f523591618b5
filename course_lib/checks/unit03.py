"""Checks for unit 03 (the vanilla GAN): the losses from logits and the two training steps.

Every check compares a student's function with ``course_lib.losses.gan`` on fixed stand-in
tensors and tiny stand-in networks, so the verdict never depends on a training run. The
stand-in logits include +-100: a loss computed as ``log(sigmoid(s))`` rounds to ``log 0`` there
and returns ``inf`` or ``nan``, which is exactly the bug the checks must catch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from course_lib.checks import expect, passed, scalar
from course_lib.losses.gan import d_loss_bce, g_loss_nonsaturating, g_loss_saturating

Tensor = torch.Tensor


def _logits(n: int, seed: int, extreme: bool = True) -> Tensor:
    """Stand-in logits: moderate values, plus +-100, +-30 and +-120 when ``extreme``.

    +-100 alone would hide ``nn.BCELoss()(torch.sigmoid(s), y)``: BCELoss clamps its logs at
    -100, exactly the right answer there. At +-30 sigmoid rounds to 1 in float32 (so the
    clamp gives 100 instead of 30), and at +-120 the clamp gives 100 instead of 120.
    """
    values = torch.randn(n, generator=torch.Generator().manual_seed(seed)) * 3
    if extreme:
        values[:6] = torch.tensor([100.0, -100.0, 30.0, -30.0, 120.0, -120.0])
    return values


def _clamped_bce(logits: Tensor, label: float) -> float:
    """What ``nn.BCELoss()(torch.sigmoid(logits), label)`` gives: logs clamped at -100."""
    probs = torch.sigmoid(logits)
    return float(nn.functional.binary_cross_entropy(probs, torch.full_like(probs, label)))


_CLAMP_HINT = ("That is nn.BCELoss on torch.sigmoid(...): sigmoid rounds to exactly 1 for "
               "logits near +30 and BCELoss clamps log(0) to -100, so confident logits get "
               "the wrong loss. Work from the logits: F.binary_cross_entropy_with_logits or "
               "softplus.")


def _finite(value: float, what: str, logits_note: str) -> None:
    expect(math.isfinite(value),
           f"{what} returned {value} when {logits_note}. Computing log(sigmoid(s)) rounds "
           "sigmoid(s) to exactly 0 or 1 for large |s|, and log(0) = -inf. Work with the logits "
           "directly: log(sigmoid(s)) = -softplus(-s) and log(1 - sigmoid(s)) = -softplus(s) "
           "(torch.nn.functional.softplus), or use F.binary_cross_entropy_with_logits.")


# ---------------------------------------------------------------------------------------------
# Losses


def check_d_loss(d_loss: Callable, seed: int = 0) -> None:
    """D's loss = BCE with label 1 for real and 0 for fake, from logits, averaged, stable."""
    real, fake = _logits(16, seed), _logits(16, seed + 1)
    want = float(d_loss_bce(real, fake))
    got = scalar(d_loss(real.clone(), fake.clone()), "d_loss")
    _finite(got, "d_loss", "some logits are +-100")
    if abs(got - want) > 1e-4:
        swapped = float(d_loss_bce(fake, real))
        summed = float(torch.nn.functional.softplus(-real).sum()
                       + torch.nn.functional.softplus(fake).sum())
        if abs(got - (_clamped_bce(real, 1.0) + _clamped_bce(fake, 0.0))) < 1e-3:
            hint = _CLAMP_HINT
        elif abs(got - swapped) < 1e-4:
            hint = ("The labels are swapped: real images must get label 1 (D(x) -> 1) and "
                    "fakes label 0.")
        elif abs(got - summed) < 1e-3:
            hint = "Average over the batch (.mean()), do not sum."
        elif abs(got + want) < 1e-4:
            hint = "The sign is wrong: D MINIMISES -log D(x) - log(1 - D(G(z)))."
        else:
            hint = ("D's loss is -mean(log D(x)) - mean(log(1 - D(G(z)))) with D = sigmoid "
                    "of the logits.")
        expect(False, f"d_loss gives {got:.4f}, the binary cross-entropy is {want:.4f}. {hint}")
    unsure = scalar(d_loss(torch.zeros(4), torch.zeros(4)), "d_loss")
    expect(abs(unsure - 2 * math.log(2)) < 1e-5,
           f"An unsure D (all logits 0, D = 0.5) should have loss 2 log 2 = 1.3863, not "
           f"{unsure:.4f}.")
    passed("d_loss is the binary cross-entropy from logits, stable at +-100")


_G_LOSSES = {  # kind: (the course's reference, its formula)
    "nonsaturating": (g_loss_nonsaturating, "-mean(log D(G(z)))"),
    "saturating": (g_loss_saturating, "mean(log(1 - D(G(z))))"),
}


def check_g_loss(fn: Callable, kind: str = "nonsaturating", seed: int = 0) -> None:
    """One G loss (``kind``: "nonsaturating" or "saturating"): value, stability, gradient."""
    if kind not in _G_LOSSES:
        raise ValueError(f"kind must be one of {tuple(_G_LOSSES)}, got {kind!r}")
    name = f"g_loss_{kind}"
    ref, formula = _G_LOSSES[kind]
    other_ref = g_loss_saturating if kind == "nonsaturating" else g_loss_nonsaturating
    fake = _logits(16, seed)
    got = scalar(fn(fake.clone()), name)
    _finite(got, name, "some logits are +-100")
    want = float(ref(fake))
    if abs(got - want) > 1e-4:
        clamped = _clamped_bce(fake, 1.0) if kind == "nonsaturating" else -_clamped_bce(fake, 0.0)
        if abs(got - float(other_ref(fake))) < 1e-4:
            hint = "That is the OTHER generator loss: the two are swapped."
        elif abs(got + want) < 1e-4:
            hint = "The sign is wrong."
        elif abs(got - clamped) < 1e-3:
            hint = _CLAMP_HINT
        elif kind == "nonsaturating" and \
                abs(got - float(torch.nn.functional.softplus(fake).mean())) < 1e-4:
            hint = ("That is BCE with label 0, i.e. -log(1 - D(G(z))): minimising it makes "
                    "D call the fakes FAKE. G wants label 1 for its fakes.")
        else:
            hint = f"It should be {formula} with D = sigmoid of the logits."
        expect(False, f"{name} gives {got:.4f}, {formula} is {want:.4f}. {hint}")
    # The lecture's point: where D rejects the fakes (logit -6, D ~ 0.0025), the minimax
    # gradient almost vanishes while the non-saturating one stays near 1.
    rejected = torch.full((8,), -6.0, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(rejected) * len(rejected), rejected)
    size = float(grad.abs().mean())
    ok = size > 0.9 if kind == "nonsaturating" else size < 0.01
    expect(ok, f"At D(G(z)) = sigmoid(-6) the gradient per logit of the {kind} loss should be "
               f"about {1 if kind == 'nonsaturating' else 0.0025}; yours is {size:.4f}. Did you "
               "detach or round the logits inside the loss?")
    passed(f"{name} is right and stable" + ("; it saturates where D rejects the fakes, as it "
                                            "should" if kind == "saturating" else ""))


def check_g_losses(g_loss_nonsaturating_fn: Callable, g_loss_saturating_fn: Callable,
                   seed: int = 0) -> None:
    """Both G losses (see :func:`check_g_loss`)."""
    check_g_loss(g_loss_nonsaturating_fn, "nonsaturating", seed)
    check_g_loss(g_loss_saturating_fn, "saturating", seed)


# ---------------------------------------------------------------------------------------------
# Training steps with stand-in networks


class _StandInG(nn.Module):
    def __init__(self, latent_dim: int = 4, pixels: int = 12):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim, 16), nn.ReLU(), nn.Linear(16, pixels),
                                 nn.Tanh())

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class _StandInD(nn.Module):
    def __init__(self, pixels: int = 12):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(pixels, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    def forward(self, images: Tensor) -> Tensor:
        return self.net(images).squeeze(1)


def _stand_ins(seed: int):
    torch.manual_seed(seed)
    g, d = _StandInG(), _StandInD()
    gen = torch.Generator().manual_seed(seed + 100)
    real = torch.rand(8, 12, generator=gen) * 2 - 1
    z = torch.randn(8, 4, generator=gen)
    return g, d, real, z


def _snapshot(net: nn.Module) -> list[Tensor]:
    return [p.detach().clone() for p in net.parameters()]


def _same(a: list[Tensor], net: nn.Module, atol: float = 0.0) -> bool:
    return all(torch.allclose(x, p.detach(), atol=atol, rtol=0)
               for x, p in zip(a, net.parameters(), strict=True))


def _reference_d_step(g, d, opt, real, z):
    with torch.no_grad():
        fake = g(z)
    loss = d_loss_bce(d(real), d(fake))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def _reference_g_step(g, d, opt, z):
    loss = g_loss_nonsaturating(d(g(z)))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def check_d_step(d_step: Callable, seed: int = 0) -> None:
    """``d_step(generator, discriminator, d_optimizer, real, z, loss_fn)`` updates D only."""
    g, d, real, z = _stand_ins(seed)
    g_ref, d_ref, _, _ = _stand_ins(seed)
    opt = torch.optim.Adam(d.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_ref = torch.optim.Adam(d_ref.parameters(), lr=0.01, betas=(0.5, 0.999))
    for p, q in zip(d.parameters(), d_ref.parameters(), strict=True):  # stale grads (G step)
        p.grad, q.grad = torch.full_like(p, 0.3), torch.full_like(q, 0.3)
    g_before, d_before = _snapshot(g), _snapshot(d)

    loss = d_step(g, d, opt, real, z, d_loss_bce)
    want = _reference_d_step(g_ref, d_ref, opt_ref, real, z)

    expect(isinstance(loss, float),
           f"d_step should return the loss as a Python float (loss.item()), not "
           f"{type(loss).__name__}.")
    expect(_same(g_before, g), "d_step changed the GENERATOR's weights: the D step may only "
                               "update D (use d_optimizer only).")
    expect(all(p.grad is None or not p.grad.any() for p in g.parameters()),
           "After d_step the generator has gradients: the D loss back-propagated into G. Make "
           "the fakes without a graph (inside torch.no_grad(), or fake = generator(z).detach()): "
           "the D step must not waste work on G, and stale G gradients would spoil the next G "
           "step.")
    expect(not _same(d_before, d), "D's weights did not change: call loss.backward() and "
                                   "d_optimizer.step().")
    expect(abs(loss - want) < 1e-5,
           f"d_step returned loss {loss:.5f}, but loss_fn(D(real), D(fake)) is {want:.5f}. Pass "
           "D's scores on the real batch first and on G(z) second, and return the value from "
           "BEFORE the optimizer step.")
    expect(_same([p.detach() for p in d_ref.parameters()], d, atol=1e-6),
           "The loss is right but D's update is not. Did you call d_optimizer.zero_grad() "
           "before loss.backward()? Gradients left over from the G step would be added to D's.")
    passed("d_step updates D only, with no gradient flowing into G")


def check_g_step(g_step: Callable, seed: int = 0) -> None:
    """``g_step(generator, discriminator, g_optimizer, z, loss_fn)`` updates G only, through D."""
    g, d, _, z = _stand_ins(seed)
    g_ref, d_ref, _, _ = _stand_ins(seed)
    opt = torch.optim.Adam(g.parameters(), lr=0.01, betas=(0.5, 0.999))
    opt_ref = torch.optim.Adam(g_ref.parameters(), lr=0.01, betas=(0.5, 0.999))
    for p, q in zip(g.parameters(), g_ref.parameters(), strict=True):  # stale grads
        p.grad, q.grad = torch.full_like(p, 0.3), torch.full_like(q, 0.3)
    g_before, d_before = _snapshot(g), _snapshot(d)

    loss = g_step(g, d, opt, z, g_loss_nonsaturating)
    want = _reference_g_step(g_ref, d_ref, opt_ref, z)

    expect(isinstance(loss, float),
           f"g_step should return the loss as a Python float (loss.item()), not "
           f"{type(loss).__name__}.")
    expect(_same(d_before, d), "g_step changed the DISCRIMINATOR's weights: the G step may only "
                               "update G (use g_optimizer only).")
    expect(not _same(g_before, g),
           "G's weights did not change. The gradient must flow from D's verdict back THROUGH D "
           "into G: do not detach the fakes or use torch.no_grad() in the G step, and call "
           "loss.backward() and g_optimizer.step().")
    expect(abs(loss - want) < 1e-5,
           f"g_step returned loss {loss:.5f}, but loss_fn(D(G(z))) is {want:.5f}. Score fresh "
           "fakes G(z) with D and return the loss from BEFORE the optimizer step.")
    expect(_same([p.detach() for p in g_ref.parameters()], g, atol=1e-6),
           "The loss is right but G's update is not. Did you call g_optimizer.zero_grad() "
           "before loss.backward()?")
    passed("g_step updates G only, with the gradient flowing through D")
