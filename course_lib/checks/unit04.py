"""Checks for unit 04 (LSGAN on a DCGAN): the a-b-c losses, the DCGAN blocks and networks, init.

Losses are compared with ``course_lib.losses.gan`` on fixed stand-in scores; networks are
compared layer by layer with the DCGAN recipe and with the parameter count of
``course_lib.models.dcgan``; the initialisation is judged by the statistics of large weight
tensors (65,536 numbers each, so a seeded draw is far inside the tolerances).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from course_lib.checks import expect, passed, same_outputs_as_reference, scalar
from course_lib.losses.gan import LSGANCoding, d_loss_lsgan, g_loss_lsgan

Tensor = torch.Tensor


def _scores(n: int, seed: int) -> Tensor:
    return torch.randn(n, generator=torch.Generator().manual_seed(seed)) * 2


# ---------------------------------------------------------------------------------------------
# LSGAN losses


def check_lsgan_d_loss(lsgan_d_loss: Callable, a: float = 0.0, b: float = 1.0,
                       seed: int = 0) -> None:
    """``lsgan_d_loss(real, fake, a, b)``: 1/2 mean((D(x) - b)^2) + 1/2 mean((D(G(z)) - a)^2)."""
    real, fake = _scores(16, seed), _scores(16, seed + 1) - 1
    coding = LSGANCoding(a, b, 1.0)
    want_d = float(d_loss_lsgan(real, fake, coding))
    got_d = scalar(lsgan_d_loss(real.clone(), fake.clone(), a=a, b=b), "lsgan_d_loss")
    if abs(got_d - want_d) > 1e-4:
        swapped = float(d_loss_lsgan(real, fake, LSGANCoding(b, a, 1.0)))
        sig = float(d_loss_lsgan(torch.sigmoid(real), torch.sigmoid(fake), coding))
        if abs(got_d - swapped) < 1e-4:
            hint = ("a and b are swapped: D pushes REAL scores towards b and FAKE scores "
                    "towards a.")
        elif abs(got_d - 2 * want_d) < 1e-4:
            hint = "The factor 1/2 in front of each squared term is missing."
        elif abs(got_d - sig) < 1e-4:
            hint = ("Do not apply a sigmoid: in LSGAN D's raw score itself is compared with "
                    "the targets (the sigmoid is what makes the BCE loss saturate).")
        else:
            hint = "It is 1/2 mean((D(x) - b)^2) + 1/2 mean((D(G(z)) - a)^2)."
        expect(False, f"With a={a}, b={b} lsgan_d_loss gives {got_d:.4f}, LSGAN's D loss is "
                      f"{want_d:.4f}. {hint}")
    passed(f"LSGAN D loss with a={a:g}, b={b:g} is right")


def check_lsgan_g_loss(lsgan_g_loss: Callable, c: float = 1.0, a: float = 0.0,
                       seed: int = 0) -> None:
    """``lsgan_g_loss(fake, c)`` against 1/2 mean((D(G(z)) - c)^2); ``a``: D's fake target."""
    fake = _scores(16, seed + 1) - 1
    want_g = float(g_loss_lsgan(fake, LSGANCoding(a, 1.0, c)))
    got_g = scalar(lsgan_g_loss(fake.clone(), c=c), "lsgan_g_loss")
    if abs(got_g - want_g) > 1e-4:
        towards = {t: float(g_loss_lsgan(fake, LSGANCoding(a, 1.0, t))) for t in (a, 1.0, 0.0)}
        target = next((t for t, value in towards.items() if t != c
                       and abs(got_g - value) < 1e-4), None)
        if abs(got_g - 2 * want_g) < 1e-4:
            hint = "The factor 1/2 is missing."
        elif target is not None:
            hint = (f"Your loss pulls the fakes' scores towards {target:g}, not towards the c "
                    f"you were given ({c:g})"
                    + (f"; {target:g} is the score D wants for FAKES (a)" if target == a else "")
                    + ". G wants D to give its fakes the value c: use the c argument.")
        else:
            hint = "It is 1/2 mean((D(G(z)) - c)^2)."
        expect(False, f"With c={c} lsgan_g_loss gives {got_g:.4f}, LSGAN's G loss is "
                      f"{want_g:.4f}. {hint}")
    # Far on the "real" side of the boundary, the G gradient keeps its size (not saturating).
    far = torch.full((4,), c + 5.0, requires_grad=True)
    (grad,) = torch.autograd.grad(lsgan_g_loss(far, c=c) * len(far), far)
    expect(torch.allclose(grad, torch.full_like(grad, 5.0), atol=1e-4),
           f"A fake scored 5 above c should get gradient 5 per score (d/ds of 1/2 (s - c)^2); "
           f"yours is {grad.tolist()}. Did you detach or clamp the scores?")
    passed(f"LSGAN G loss with c={c:g} is right")


def check_lsgan_losses(lsgan_d_loss: Callable, lsgan_g_loss: Callable, a: float = 0.0,
                       b: float = 1.0, c: float = 1.0, seed: int = 0) -> None:
    """Both LSGAN losses (see :func:`check_lsgan_d_loss` and :func:`check_lsgan_g_loss`)."""
    check_lsgan_d_loss(lsgan_d_loss, a, b, seed)
    check_lsgan_g_loss(lsgan_g_loss, c, a, seed)


# ---------------------------------------------------------------------------------------------
# Blocks and networks


def _leaves(net: nn.Module) -> list[nn.Module]:
    """The layers in order, with containers (Sequential, custom blocks) opened up."""
    return [m for m in net.modules() if not list(m.children())]


def _names(layers: list[nn.Module]) -> list[str]:
    return [type(m).__name__ for m in layers]


def _expect_conv(layer: nn.Module, kind: type, what: str) -> None:
    expect(isinstance(layer, kind),
           f"{what} should start with nn.{kind.__name__}, not {type(layer).__name__}.")
    expect(tuple(layer.kernel_size) == (4, 4) and tuple(layer.stride) == (2, 2)
           and tuple(layer.padding) == (1, 1),
           f"{what}: use kernel_size=4, stride=2, padding=1 (DCGAN's choice; it "
           f"{'doubles' if kind is nn.ConvTranspose2d else 'halves'} the size exactly). Yours "
           f"has kernel {layer.kernel_size}, stride {layer.stride}, padding {layer.padding}.")


def check_generator_block(generator_block: Callable, in_channels: int = 16,
                          out_channels: int = 8) -> None:
    """ConvTranspose2d(4, 2, 1) -> BatchNorm2d -> ReLU, doubling the size."""
    block = generator_block(in_channels, out_channels)
    expect(isinstance(block, nn.Module), "generator_block should return an nn.Module such as "
                                         "nn.Sequential(...).")
    layers = _leaves(block)
    what = f"generator_block({in_channels}, {out_channels})"
    expect(len(layers) == 3,
           f"{what} should have three layers, ConvTranspose2d -> BatchNorm2d -> ReLU; yours "
           f"has {_names(layers)}.")
    _expect_conv(layers[0], nn.ConvTranspose2d, what)
    expect(isinstance(layers[1], nn.BatchNorm2d) and layers[1].num_features == out_channels,
           f"The second layer of {what} should be nn.BatchNorm2d({out_channels}); yours is "
           f"{layers[1]}. Batch norm comes after the convolution, before the activation.")
    expect(isinstance(layers[2], nn.ReLU),
           f"The generator uses ReLU after batch norm (DCGAN); yours ends with "
           f"{type(layers[2]).__name__}.")
    with torch.no_grad():
        out = block(torch.zeros(2, in_channels, 7, 7))
    expect(tuple(out.shape) == (2, out_channels, 14, 14),
           f"{what} should turn (2, {in_channels}, 7, 7) into (2, {out_channels}, 14, 14); "
           f"yours gives {tuple(out.shape)}.")
    passed(f"{what}: ConvTranspose2d -> BatchNorm2d -> ReLU, 7x7 -> 14x14")


def check_discriminator_block(discriminator_block: Callable, in_channels: int = 8,
                              out_channels: int = 16) -> None:
    """Conv2d(4, 2, 1) -> [BatchNorm2d] -> LeakyReLU(0.2), halving the size."""
    for batch_norm in (True, False):
        block = discriminator_block(in_channels, out_channels, batch_norm=batch_norm)
        expect(isinstance(block, nn.Module), "discriminator_block should return an nn.Module "
                                             "such as nn.Sequential(...).")
        layers = _leaves(block)
        what = f"discriminator_block({in_channels}, {out_channels}, batch_norm={batch_norm})"
        want = ["Conv2d", "BatchNorm2d", "LeakyReLU"] if batch_norm else ["Conv2d", "LeakyReLU"]
        expect(_names(layers) == want,
               f"{what} should be {' -> '.join(want)}; yours is {_names(layers)}."
               + ("" if batch_norm else " With batch_norm=False leave the batch norm out: "
                                        "D's first layer sees raw images and DCGAN found "
                                        "batch norm there makes training unstable."))
        _expect_conv(layers[0], nn.Conv2d, what)
        expect(abs(layers[-1].negative_slope - 0.2) < 1e-9,
               f"Use nn.LeakyReLU(0.2) in the discriminator (yours has slope "
               f"{layers[-1].negative_slope}): a small slope for negative inputs keeps "
               "gradients flowing back to G.")
        with torch.no_grad():
            out = block(torch.zeros(2, in_channels, 14, 14))
        expect(tuple(out.shape) == (2, out_channels, 7, 7),
               f"{what} should turn (2, {in_channels}, 14, 14) into (2, {out_channels}, 7, 7); "
               f"yours gives {tuple(out.shape)}.")
    passed("discriminator_block: strided Conv2d -> [BatchNorm2d] -> LeakyReLU(0.2), 14 -> 7")


def _param_count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def check_generator(build_generator: Callable, latent_dim: int = 100,
                    g_channels: int = 128) -> None:
    """z (N, latent_dim) -> (N, 1, 28, 28) in [-1, 1], DCGAN layers, course_lib's size."""
    from course_lib.models.dcgan import DCGANConfig, DCGANGenerator

    torch.manual_seed(0)
    net = build_generator(latent_dim=latent_dim, g_channels=g_channels)
    what = f"build_generator(latent_dim={latent_dim}, g_channels={g_channels})"
    net.eval()
    with torch.no_grad():
        out = net(torch.randn(4, latent_dim) * 3)
    expect(tuple(out.shape) == (4, 1, 28, 28),
           f"{what} should map z of shape (4, {latent_dim}) to images (4, 1, 28, 28); yours "
           f"gives {tuple(out.shape)}. Start with nn.Unflatten(1, ({latent_dim}, 1, 1)) so "
           "that z becomes a 1x1 image with latent_dim channels.")
    layers = _leaves(net)
    expect(isinstance(layers[-1], nn.Tanh),
           f"The generator should end with nn.Tanh (images in [-1, 1], like the data); yours "
           f"ends with {type(layers[-1]).__name__}.")
    expect(isinstance(layers[-2], nn.ConvTranspose2d),
           f"Right before the tanh comes the last ConvTranspose2d, with no batch norm: "
           f"normalising the output layer would fix the mean and spread of every image. Yours "
           f"has {type(layers[-2]).__name__} there.")
    ups = [m for m in layers if isinstance(m, nn.ConvTranspose2d) and tuple(m.stride) == (2, 2)]
    expect(len(ups) == 2,
           f"Two stride-2 ConvTranspose2d layers should grow 7 -> 14 -> 28; yours has "
           f"{len(ups)}.")
    expect(not any(isinstance(m, (nn.Upsample, nn.MaxPool2d, nn.AvgPool2d)) for m in layers),
           "Use transposed convolutions to grow the image (DCGAN has no Upsample or pooling).")
    bns = [m for m in layers if isinstance(m, nn.BatchNorm2d)]
    expect(len(bns) == 2,
           f"The generator has batch norm after its first two (transposed) convolutions, not "
           f"after the last: 2 BatchNorm2d layers; yours has {len(bns)}.")
    ref = _param_count(DCGANGenerator(DCGANConfig(latent_dim=latent_dim, g_channels=g_channels)))
    with_bias = ref + g_channels + g_channels // 2
    got = _param_count(net)
    expect(got in (ref, with_bias),
           f"{what} has {got:,} parameters; the DCGAN generator of the lecture has {ref:,} "
           f"({with_bias:,} if the convolutions before batch norm keep their bias). Check the "
           f"channels: {latent_dim} -> {g_channels} (7x7) -> {g_channels // 2} (14x14) -> 1.")
    expect(float(out.abs().max()) <= 1.0, "Generated pixels must lie in [-1, 1].")
    reference = DCGANGenerator(DCGANConfig(latent_dim=latent_dim, g_channels=g_channels))
    diff = same_outputs_as_reference(net, reference, torch.randn(8, latent_dim))
    expect(diff is not None and diff < 1e-4,
           f"With your weights copied into the lecture's DCGAN generator, the two give "
           f"different images (largest difference {diff if diff is None else round(diff, 4)}). "
           "The layer sizes are right, so look at the activations and their order: "
           "ConvTranspose2d -> BatchNorm2d -> ReLU twice, then ConvTranspose2d -> Tanh, and no "
           "other activation.")
    passed(f"{what}: {got:,} parameters, 1x1 -> 7x7 -> 14x14 -> 28x28, tanh out")


def check_discriminator(build_discriminator: Callable, d_channels: int = 64) -> None:
    """(N, 1, 28, 28) -> one score per image; no BN on the input layer, no pooling."""
    from course_lib.models.dcgan import DCGANConfig, DCGANDiscriminator

    torch.manual_seed(0)
    net = build_discriminator(d_channels=d_channels)
    what = f"build_discriminator(d_channels={d_channels})"
    net.eval()
    with torch.no_grad():
        out = net(torch.rand(4, 1, 28, 28) * 2 - 1)
    expect(tuple(out.shape) in ((4,), (4, 1)),
           f"{what} should give one score per image, shape (4,) or (4, 1); yours gives "
           f"{tuple(out.shape)}. End with nn.Flatten() and nn.Linear(..., 1).")
    layers = _leaves(net)
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    expect(len(convs) == 2 and all(tuple(m.stride) == (2, 2) for m in convs),
           f"Two stride-2 Conv2d layers should shrink 28 -> 14 -> 7; yours has "
           f"{[(type(m).__name__, m.stride) for m in convs]}.")
    expect(not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) for m in layers),
           "DCGAN replaces pooling by strided convolutions: remove the pooling layers.")
    first = layers.index(convs[0])
    expect(not isinstance(layers[first + 1], nn.BatchNorm2d),
           "No batch norm right after D's first convolution: it would normalise raw real and "
           "fake batches separately, and DCGAN found it destabilises training. Use "
           "discriminator_block(1, d_channels, batch_norm=False) first.")
    expect(any(isinstance(m, nn.BatchNorm2d) for m in layers[first + 1:]),
           "The second convolution of D should be followed by BatchNorm2d.")
    expect(not any(isinstance(m, nn.Sigmoid) for m in layers),
           "D returns a raw score: no sigmoid at the end (the BCE loss takes logits, LSGAN "
           "uses the score itself).")
    ref = _param_count(DCGANDiscriminator(DCGANConfig(d_channels=d_channels)))
    got = _param_count(net)
    expect(got in (ref, ref + 2 * d_channels),
           f"{what} has {got:,} parameters; the lecture's DCGAN discriminator has {ref:,}. "
           f"Check the channels 1 -> {d_channels} (14x14) -> {2 * d_channels} (7x7) and the "
           f"final nn.Linear({2 * d_channels} * 7 * 7, 1).")
    reference = DCGANDiscriminator(DCGANConfig(d_channels=d_channels))
    diff = same_outputs_as_reference(net, reference, torch.rand(8, 1, 28, 28) * 2 - 1)
    expect(diff is not None and diff < 1e-4,
           f"With your weights copied into the lecture's DCGAN discriminator, the two give "
           f"different scores (largest difference {diff if diff is None else round(diff, 4)}). "
           "The layer sizes are right, so look at the activations and their order: "
           "Conv2d -> LeakyReLU(0.2), Conv2d -> BatchNorm2d -> LeakyReLU(0.2), Flatten, Linear.")
    passed(f"{what}: {got:,} parameters, 28 -> 14 -> 7 -> one score")


# ---------------------------------------------------------------------------------------------
# Initialisation


def _init_testbed() -> nn.Module:
    net = nn.Sequential(
        nn.ConvTranspose2d(64, 64, 4), nn.BatchNorm2d(64), nn.ReLU(),
        nn.Sequential(nn.Conv2d(64, 64, 4), nn.BatchNorm2d(64), nn.LeakyReLU(0.2)),
        nn.Flatten(), nn.Linear(256, 256))
    with torch.no_grad():  # a recognisable starting point: untouched layers stay at 1 / 0.5
        for p in net.parameters():
            p.fill_(1.0 if p.dim() > 1 else 0.5)
    return net


def check_dcgan_init(dcgan_init: Callable, seed: int = 0) -> None:
    """Conv, transposed conv and linear weights ~ N(0, 0.02), biases 0; BN scale ~ N(1, 0.02)."""
    torch.manual_seed(seed)
    net = _init_testbed()
    dcgan_init(net)
    names = {0: "ConvTranspose2d", 3: "Conv2d (inside a nested nn.Sequential)", 5: "Linear"}
    for index, (module, label) in enumerate(
            ((net[0], names[0]), (net[3][0], names[3]), (net[5], names[5]))):
        w = module.weight.detach()
        expect(not torch.all(w == 1.0),
               f"The {label} layer was not initialised. "
               + ("Loop over ALL modules with module.modules() (it also visits layers nested "
                  "inside blocks), not module.children()." if index == 1 else
                  "Handle nn.Conv2d, nn.ConvTranspose2d and nn.Linear."))
        std, mean = float(w.std()), float(w.mean())
        expect(0.019 < std < 0.021 and abs(mean) < 0.001,
               f"The {label} weights have mean {mean:.4f} and std {std:.4f}; DCGAN draws them "
               f"from a normal distribution with mean 0 and std 0.02 "
               f"(nn.init.normal_(weight, 0.0, 0.02)).")
        tail = float((w.abs() > 0.04).float().mean())
        expect(0.035 < tail < 0.055,
               f"{tail:.1%} of the {label} weights lie beyond 2 std; a normal distribution "
               f"has 4.6% there. Draw them from a NORMAL distribution, not a uniform one.")
        expect(module.bias is None or not module.bias.detach().any(),
               f"Set the {label} biases to zero (nn.init.zeros_).")
    for label, bn in (("first", net[1]), ("nested", net[3][1])):
        scale = bn.weight.detach()
        expect(not torch.all(scale == 0.5) and abs(float(scale.mean()) - 1) < 0.01
               and 0.01 < float(scale.std()) < 0.03,
               f"The {label} BatchNorm2d scale (weight) has mean {float(scale.mean()):.3f} and "
               f"std {float(scale.std()):.3f}; DCGAN draws it from N(1, 0.02). Batch-norm "
               f"layers need their own rule: nn.init.normal_(bn.weight, 1.0, 0.02) and "
               f"nn.init.zeros_(bn.bias).")
        expect(not bn.bias.detach().any(), f"Set the {label} BatchNorm2d bias (shift) to zero.")
    passed("dcgan_init: N(0, 0.02) weights, zero biases, N(1, 0.02) batch-norm scales")
