"""Checks for unit 06 (SPADE): the SPADE layer, the hinge losses, the KL term, reparameterisation.

Each check compares a student's function with what the layer or loss must do, on small random
inputs, and says in words what is wrong when it fails.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.checks import expect, passed, same_outputs_as_reference
from course_lib.losses.hinge import d_loss_hinge, g_loss_hinge
from course_lib.losses.kl import kl_divergence
from course_lib.models.spade.norm import SPADE


def _one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    return F.one_hot(labels.long(), classes).permute(0, 3, 1, 2).float()


def _uniform_map(cls: int, classes: int, size: int, n: int = 2) -> torch.Tensor:
    return _one_hot(torch.full((n, size, size), cls), classes)


def check_spade_layer(layer_class: Callable, channels: int = 8, label_nc: int = 5,
                      hidden: int = 16) -> None:
    """``layer_class(channels, label_nc, hidden)`` must be a SPADE layer (see the assignment)."""
    if label_nc < 2:
        raise ValueError("check_spade_layer needs label_nc >= 2")
    torch.manual_seed(0)
    layer = layer_class(channels, label_nc, hidden)
    expect(isinstance(layer, nn.Module),
           "SPADELayer must be an nn.Module (call super().__init__()).")
    for name in ("norm", "shared", "gamma", "beta"):
        expect(hasattr(layer, name), f"SPADELayer needs an attribute `{name}` (see the task).")
    affine = [m for m in layer.modules()
              if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) and m.affine]
    expect(not affine,
           "The normalisation has learned per-channel parameters (affine=True). In SPADE the norm "
           "is parameter-free (affine=False): gamma and beta come from the map instead.")
    want = 9 * label_nc * hidden + hidden + 2 * (9 * hidden * channels + channels)
    got = sum(p.numel() for p in layer.parameters())
    expect(got == want,
           f"SPADELayer({channels}, {label_nc}, {hidden}) should have {want} parameters (three "
           f"3x3 convolutions with bias: label_nc -> hidden, hidden -> channels twice); it has "
           f"{got}.")
    layer.train()
    x = torch.randn(4, channels, 16, 16)
    with torch.no_grad():
        out_a = layer(x, _uniform_map(0, label_nc, 32, 4))
        out_b = layer(x, _uniform_map(label_nc - 1, label_nc, 32, 4))
    expect(out_a.shape == x.shape,
           f"The output should have the shape of x {tuple(x.shape)}, got {tuple(out_a.shape)}.")
    expect((out_a - out_b).abs().max() > 1e-4,
           "The output does not depend on the segmentation map: are gamma and beta computed "
           "from it?")

    # Per pixel: changing the map on the right half must not change the far left columns.
    left = torch.zeros(4, 32, 32, dtype=torch.long)
    right = left.clone()
    right[:, :, 16:] = label_nc - 1
    with torch.no_grad():
        out_left = layer(x, _one_hot(left, label_nc))
        out_right = layer(x, _one_hot(right, label_nc))
    expect(torch.allclose(out_left[..., :4], out_right[..., :4], atol=1e-5),
           "Changing the map on the right half changed the output on the far left: gamma and "
           "beta must be computed per pixel by convolutions on the map, not from a summary of "
           "the whole map.")
    expect((out_left[..., 12:] - out_right[..., 12:]).abs().max() > 1e-4,
           "Changing the map on the right half did not change the output there: every pixel's "
           "gamma and beta must come from the map at that pixel.")

    # Nearest resize: a map with one-pixel stripes, resized by 2, must keep whole classes.
    stripes = (torch.arange(32)[None, :, None] % 2).expand(4, 32, 32) * (label_nc - 1)
    coarse = stripes[:, ::2, ::2]
    with torch.no_grad():
        out_fine, out_coarse = layer(x, _one_hot(stripes, label_nc)), layer(
            x, _one_hot(coarse, label_nc))
    expect(torch.allclose(out_fine, out_coarse, atol=1e-5),
           "Resize the map to the size of x with F.interpolate(..., mode='nearest'). Another mode "
           "(bilinear, area) blends the one-hot channels into pixels that are half one class, "
           "half another.")

    # With gamma = beta = 0 the layer must return the parameter-free norm of x.
    for conv in (layer.gamma, layer.beta):
        nn.init.zeros_(conv.weight)
        nn.init.zeros_(conv.bias)
    with torch.no_grad():
        out = layer(x, _uniform_map(label_nc - 1, label_nc, 32, 4))
    normalized = F.batch_norm(x, None, None, training=True, eps=1e-5)
    expect(not torch.allclose(out, torch.zeros_like(out)),
           "With gamma = 0 the output is all zeros: scale by (1 + gamma), not gamma, so that a "
           "fresh layer starts close to the identity.")
    expect(torch.allclose(out, normalized, atol=1e-4),
           "With gamma = beta = 0 the output should be exactly the normalised x "
           "(BatchNorm2d(channels, affine=False) in training mode); compute "
           "norm(x) * (1 + gamma) + beta.")
    # Everything above can pass without the ReLU in `shared`: a fresh layer's outputs must
    # equal the course's SPADE layer's with the same weights.
    layer = layer_class(channels, label_nc, hidden)
    reference = SPADE(channels, label_nc, hidden)
    first = next((m for m in layer.shared.modules() if isinstance(m, nn.Conv2d)), None)
    expect(first is not None, "`shared` should start with an nn.Conv2d (then a ReLU).")
    diff = same_outputs_as_reference(
        layer, reference, x, _one_hot(right, label_nc),
        pairs=[(first, reference.shared[0]), (layer.gamma, reference.gamma),
               (layer.beta, reference.beta)])
    expect(diff is not None and diff < 1e-4,
           "With your weights copied into the course's SPADE layer the outputs differ "
           f"(largest difference {diff if diff is None else round(diff, 4)}). Is there a ReLU "
           "after the shared convolution (self.shared = nn.Sequential(conv, nn.ReLU())), and "
           "none after gamma and beta?")
    passed("SPADE layer: parameter-free norm, per-pixel gamma and beta from the map, nearest "
           "resize, (1 + gamma)")


def _hinge_scores() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(6)
    return torch.randn(4, 1, 5, 5, generator=gen), torch.randn(4, 1, 5, 5, generator=gen)


def check_d_hinge_loss(d_loss: Callable) -> None:
    """``d_loss(real_scores, fake_scores)``: mean(relu(1 - real)) + mean(relu(1 + fake))."""
    real, fake = _hinge_scores()
    got = d_loss(real, fake)
    expect(isinstance(got, torch.Tensor) and got.numel() == 1,
           "d_loss should return a single number (a 0-dimensional tensor): take the mean.")
    confident = d_loss(torch.full((4, 1), 3.0), torch.full((4, 1), -2.0))
    expect(abs(float(confident)) < 1e-6,
           f"D scores reals at 3 and fakes at -2, beyond the margins +1 and -1, so its hinge "
           f"loss must be 0 (use relu(1 - real) and relu(1 + fake)); got {float(confident):.4f}.")
    want = d_loss_hinge(real, fake)
    expect(torch.allclose(got.float(), want, atol=1e-5),
           f"d_loss = mean(relu(1 - real)) + mean(relu(1 + fake)) = {float(want):.4f} here, "
           f"yours gives {float(got):.4f}.")
    passed("D's hinge loss: margins at +1 and -1")


def check_g_hinge_loss(g_loss: Callable) -> None:
    """``g_loss(fake_scores)``: -mean(fake), no margin."""
    _, fake = _hinge_scores()
    g = g_loss(fake)
    want_g = g_loss_hinge(fake)
    margin = F.relu(1.0 - fake).mean()
    expect(not torch.allclose(g.float(), margin, atol=1e-5),
           "The generator's hinge loss has no margin: it is -mean(fake), so G keeps raising D's "
           "score even past 1 (relu(1 - fake) would stop there).")
    expect(torch.allclose(g.float(), want_g, atol=1e-5),
           f"g_loss = -mean(fake) = {float(want_g):.4f} here, yours gives {float(g):.4f}.")
    passed("G's hinge loss: -mean(fake), without a margin")


def check_hinge_losses(d_loss: Callable, g_loss: Callable) -> None:
    """Both hinge losses (see :func:`check_d_hinge_loss` and :func:`check_g_hinge_loss`)."""
    check_d_hinge_loss(d_loss)
    check_g_hinge_loss(g_loss)


def check_kl(kl: Callable) -> None:
    """``kl(mu, logvar)``: KL(N(mu, exp(logvar)) || N(0, I)), summed over z, mean over images."""
    zero = kl(torch.zeros(3, 8), torch.zeros(3, 8))
    expect(abs(float(zero)) < 1e-6,
           f"N(0, I) is already the prior, so its KL must be 0; got {float(zero):.4f}.")
    gen = torch.Generator().manual_seed(6)
    mu, logvar = torch.randn(5, 8, generator=gen), torch.randn(5, 8, generator=gen)
    got = float(kl(mu, logvar))
    want = float(kl_divergence(mu, logvar, reduction="mean"))
    per_sum = float(kl_divergence(mu, logvar, reduction="sum"))
    expect(got > 0, f"A KL divergence is never negative; got {got:.4f}: check the signs.")
    expect(abs(got - per_sum) > 1e-3 or abs(got - want) < 1e-4,
           "Average over the images (the batch): here the KL is summed over them.")
    expect(abs(got - want) < 1e-4,
           f"KL = -0.5 * sum_z (1 + logvar - mu^2 - exp(logvar)), averaged over the images, is "
           f"{want:.4f} here; yours gives {got:.4f}.")
    passed("KL term: zero at N(0, I), closed form summed over z, averaged over images")


def check_reparameterize(reparameterize: Callable) -> None:
    """``reparameterize(mu, logvar)``: a differentiable sample of N(mu, exp(logvar))."""
    torch.manual_seed(0)
    mu = torch.full((20_000, 2), 1.5, requires_grad=True)
    logvar = torch.full((20_000, 2), 2.0 * torch.log(torch.tensor(0.5)).item(), requires_grad=True)
    z = reparameterize(mu, logvar)
    expect(z.shape == mu.shape, f"z should have the shape of mu {tuple(mu.shape)}.")
    expect(z.requires_grad,
           "No gradient reaches mu and logvar: write z = mu + std * eps with eps ~ N(0, I) "
           "(torch.normal(mu, std) and .detach() cut the gradient).")
    samples = z.detach()
    expect(abs(float(samples.mean()) - 1.5) < 0.03,
           f"The samples' mean should be mu = 1.5, got {float(samples.mean()):.3f}.")
    std = float(samples.std())
    expect(abs(std - 0.25) > 0.05 or abs(std - 0.5) < 0.02,
           "The standard deviation came out as exp(logvar) = variance: the std is "
           "exp(0.5 * logvar).")
    expect(abs(std - 0.5) < 0.02,
           f"With logvar = log(0.25) the samples' std should be 0.5, got {std:.3f}: "
           "std = exp(0.5 * logvar).")
    z.sum().backward()
    expect(mu.grad is not None and logvar.grad is not None and float(logvar.grad.abs().sum()) > 0,
           "Gradients must reach both mu and logvar.")
    expect(not torch.equal(reparameterize(mu, logvar), reparameterize(mu, logvar)),
           "Two calls gave the same z: draw fresh noise eps each time (torch.randn_like).")
    passed("reparameterisation: z = mu + exp(0.5 * logvar) * eps, differentiable")
