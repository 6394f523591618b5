"""Checks for unit 05 (pix2pixHD): receptive field, the discriminators' downsampling, feature
matching, and the uniform-map experiment that exposes pix2pixHD's flaw.

Each check compares the student's function with the course's reference
(``course_lib.models.pix2pixhd``, ``course_lib.losses.feature_matching``) on several cases and,
when they differ, looks for the usual slip to name it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.checks import expect, passed

PATCHGAN = [(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]


def _reference_rf(layers: list[tuple[int, int]]) -> int:
    r = 1
    for kernel, stride in reversed(layers):
        r = (r - 1) * stride + kernel
    return r


def check_receptive_field(fn: Callable[[list[tuple[int, int]]], int]) -> None:
    """``fn(layers)`` with layers = [(kernel, stride), ...] from input to output."""
    cases = [PATCHGAN, [(3, 1)], [(3, 1), (3, 1)], [(2, 2)] * 3, [(7, 1), (3, 2), (3, 2)],
             [(4, 2)] * 4 + [(4, 1)] * 2, [(3, 2), (5, 1)]]
    for layers in cases:
        got, want = fn(list(layers)), _reference_rf(layers)
        if got == want:
            continue
        if got == sum(k for k, _ in layers) - len(layers) + 1:
            hint = ("you added the kernels but ignored the strides: after a stride-2 layer, "
                    "one step on its output is two pixels on its input, so every later "
                    "kernel reaches twice as far.")
        elif got == _reference_rf(layers[::-1]):
            hint = ("the layers are in the wrong order: walk BACKWARDS, from the last layer "
                    "(one output pixel) to the first (the input image).")
        else:
            hint = ("start with r = 1 (one output pixel) and, from the last layer to the "
                    "first, set r = (r - 1) * stride + kernel.")
        expect(False, f"For layers {layers} the receptive field is {want} pixels, your "
                      f"function says {got}: {hint}")
    expect(isinstance(fn(PATCHGAN), int), "Return a Python int (a width in pixels).")
    passed(f"receptive field: PatchGAN with three stride-2 layers sees {fn(PATCHGAN)}x"
           f"{fn(PATCHGAN)} pixels")


def check_downsample(fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """``fn(x)`` halves (N, C, H, W) the way pix2pixHD feeds its coarser discriminators."""
    from course_lib.models.pix2pixhd.discriminator import downsample

    x = torch.randn(2, 3, 16, 12, generator=torch.Generator().manual_seed(0))
    out = fn(x)
    expect(isinstance(out, torch.Tensor) and out.shape == (2, 3, 8, 6),
           f"A (2, 3, 16, 12) input should give (2, 3, 8, 6), got "
           f"{getattr(out, 'shape', type(out))}: use a 3x3 window with stride 2 and padding 1.")
    flat = fn(torch.full((1, 1, 8, 8), 2.0))
    if torch.allclose(flat[..., 1:-1, 1:-1], torch.tensor(2.0)) and flat[0, 0, 0, 0] < 1.99:
        expect(False, "A constant image should stay constant, but your border pixels are "
                      "darker: the padding zeros are counted in the average. Pass "
                      "count_include_pad=False so border windows average only real pixels.")
    if torch.allclose(out, F.max_pool2d(x, 3, 2, 1)):
        expect(False, "That is max pooling; pix2pixHD averages (avg_pool2d), which blurs the "
                      "image a little before dropping pixels, so nothing aliases.")
    expect(torch.allclose(out, downsample(x), atol=1e-6),
           "The values differ from pix2pixHD's: 3x3 average pooling, stride 2, padding 1, "
           "count_include_pad=False.")
    passed("downsampling: 3x3 average, stride 2, borders averaged over real pixels only")


def _features(seed: int, num_d: int = 3, requires_grad: bool = False):
    g = torch.Generator().manual_seed(seed)
    shapes = [(2, 4, 8, 8), (2, 8, 4, 4), (2, 1, 3, 3)]
    return [[torch.randn(*s, generator=g).div(2 ** k).requires_grad_(requires_grad)
             for s in shapes] for k in range(num_d)]


def check_feature_matching(fn: Callable, seed: int = 0) -> None:
    """``fn(real_features, fake_features)``: mean-L1 over inner layers, averaged over Ds."""
    from course_lib.losses.feature_matching import feature_matching_loss

    real, fake = _features(seed), _features(seed + 1, requires_grad=True)
    got = fn(real, fake)
    expect(isinstance(got, torch.Tensor) and got.ndim == 0,
           "Return one number as a 0-dimensional tensor (so that it can be back-propagated).")
    want = feature_matching_loss(real, fake)
    if not torch.allclose(got, want, rtol=1e-4):
        with_scores = sum((f - r).abs().mean() for rs, fs in zip(real, fake, strict=True)
                          for r, f in zip(rs, fs, strict=True)) / len(real)
        squared = sum((f - r).pow(2).mean() for rs, fs in zip(real, fake, strict=True)
                      for r, f in zip(rs[:-1], fs[:-1], strict=True)) / len(real)
        if torch.allclose(got, with_scores, rtol=1e-4):
            hint = ("you also matched the last output of each discriminator, its patch "
                    "scores; those belong to the GAN loss. Use every layer but the last: "
                    "features[:-1].")
        elif torch.allclose(got, want * len(real), rtol=1e-4):
            hint = "average over the discriminators (divide the sum by their number)."
        elif torch.allclose(got, squared, rtol=1e-4):
            hint = "feature matching uses the L1 distance (mean absolute difference), not L2."
        else:
            hint = ("for each discriminator and each of its layers except the last, take the "
                    "mean of |fake - real|; add them up and divide by the number of "
                    "discriminators.")
        expect(False, f"Your loss is {float(got):.4f}, expected {float(want):.4f}: {hint}")
    real_g = _features(seed, requires_grad=True)
    fn(real_g, _features(seed + 1, requires_grad=True)).backward()
    expect(all(t.grad is None or not t.grad.any() for scale in real_g for t in scale),
           "Gradients reach the REAL features: detach them (real.detach()); they are targets "
           "for the generator, and this loss must not train D to move them.")
    passed("feature matching: mean L1 over D's inner layers, averaged over the "
           "discriminators, real features detached")


def check_uniform_map(fn: Callable[[int, int], torch.Tensor]) -> None:
    """``fn(class_index, size)`` -> (1, 9, size, size) one-hot map, all pixels one class."""
    for cls, size in ((4, 16), (0, 8), (8, 12)):
        m = fn(cls, size)
        expect(isinstance(m, torch.Tensor) and m.shape == (1, 9, size, size),
               f"uniform_map({cls}, {size}) should have shape (1, 9, {size}, {size}) (a batch of "
               f"one, one channel per class), got {getattr(m, 'shape', type(m))}")
        expect(m.dtype.is_floating_point, "Return a float tensor: the generator's convolutions "
                                          "need floats.")
        expect(bool((m[0, cls] == 1).all()) and float(m.sum()) == size * size,
               f"In uniform_map({cls}, {size}) every pixel should be 1 in channel {cls} and 0 "
               "in all other channels.")
    passed("uniform maps: one class everywhere, one-hot")


def _control_generator() -> nn.Module:
    """A small pix2pixHD generator whose first block has NO normalisation (a control)."""
    from course_lib.models.pix2pixhd.generator import GlobalGenerator

    torch.manual_seed(0)
    g = GlobalGenerator(9, ngf=8, n_downsample=2, n_blocks=1)
    g.front[2] = nn.Identity()
    return g


def _uniform_map(class_index: int, size: int) -> torch.Tensor:
    """The reference for part 4's ``uniform_map``: (1, 9, size, size), one class everywhere."""
    return F.one_hot(torch.full((1, size, size), class_index), 9).permute(0, 3, 1, 2).float()


def check_first_block_gap(fn: Callable, uniform_map: Callable | None = None) -> None:
    """``fn(generator, class_a, class_b, size)``: max |front(map_a) - front(map_b)|.

    The control's expected gap uses the course's uniform map unless ``uniform_map`` is given.
    """
    from course_lib.models.pix2pixhd.generator import GlobalGenerator

    uniform_map = uniform_map or _uniform_map

    torch.manual_seed(0)
    g = GlobalGenerator(9, ngf=8, n_downsample=2, n_blocks=1)
    control = _control_generator()
    with torch.no_grad():
        want = float((control.front(uniform_map(2, 16)) - control.front(uniform_map(5, 16)))
                     .abs().max())
        got_control = fn(control, 2, 5, 16)
        got = fn(g, 2, 5, 16)
    expect(isinstance(got, float), "Return a Python float (use .item() or float(...)).")
    expect(abs(got_control - want) < 1e-5,
           f"On a control generator without instance norm the gap between classes 2 and 5 is "
           f"{want:.4f}, your function says {got_control:.4f}: run generator.front on "
           "uniform_map(class_a, size) and uniform_map(class_b, size) and return the largest "
           "absolute difference.")
    expect(got < 1e-4, f"With instance norm the first block's outputs for two uniform maps "
                       f"should agree to 1e-4; your function gives {got:.2e}.")
    passed(f"first block: gap {got:.1e} with instance norm, {got_control:.3f} without it")


def _pair_setup(seed: int, batch: int = 2, size: int = 16, classes: int = 5):
    """A small two-scale PatchGAN for (map, image) pairs, maps, and fakes that track gradients."""
    from course_lib.models.label_maps import one_hot_maps
    from course_lib.models.pix2pixhd import MultiscaleDiscriminator

    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    discriminator = MultiscaleDiscriminator(classes + 3, ndf=4, n_layers=2, num_d=2)
    labels = torch.randint(0, classes, (batch, size, size), generator=g)
    maps = one_hot_maps(labels, classes)
    real = torch.rand(batch, 3, size, size, generator=g) * 2 - 1
    fake = (torch.rand(batch, 3, size, size, generator=g) * 2 - 1).requires_grad_(True)
    return discriminator, maps, real, fake


def check_pair_d_loss(fn: Callable, seed: int = 0) -> None:
    """``fn(discriminator, maps, fake, real)``: D's multiscale LSGAN loss on (map, image) pairs.

    D judges a picture *together with its map*: the pair is the map's channels followed by
    the image's, concatenated along the channel axis; the fake is detached, so that D's loss
    does not train G.
    """
    from course_lib.losses.pix2pixhd import multiscale_d_loss

    discriminator, maps, real, fake = _pair_setup(seed)

    def loss_of(first_real: torch.Tensor, first_fake: torch.Tensor) -> float:
        with torch.no_grad():
            return float(multiscale_d_loss(discriminator(first_real), discriminator(first_fake)))

    try:
        got = fn(discriminator, maps, fake, real)
    except RuntimeError as err:
        expect(False, "The discriminator could not read your input "
                      f"({str(err).splitlines()[0][:120]}). Its first convolution expects "
                      f"{maps.shape[1]} map channels followed by 3 image channels: "
                      "torch.cat([maps, image], dim=1), once with the real and once with the "
                      "fake image.")
    expect(isinstance(got, torch.Tensor) and got.ndim == 0,
           "Return one number as a 0-dimensional tensor (so that it can be back-propagated).")
    got = got.detach()
    pair = {name: torch.cat([maps, image.detach()], 1) for name, image in
            (("real", real), ("fake", fake))}
    want = loss_of(pair["real"], pair["fake"])
    if abs(float(got) - want) > 1e-4 * max(1.0, abs(want)):
        image_first = {name: torch.cat([image.detach(), maps], 1) for name, image in
                       (("real", real), ("fake", fake))}
        if abs(float(got) - loss_of(pair["fake"], pair["real"])) < 1e-4:
            hint = ("real and fake are swapped: real pairs should score 1 and fake pairs 0, "
                    "multiscale_d_loss(D(real pair), D(fake pair)).")
        elif abs(float(got) - loss_of(image_first["real"], image_first["fake"])) < 1e-4:
            hint = ("the image comes before the map: the course's discriminators read the "
                    "map's channels first, torch.cat([maps, image], dim=1).")
        else:
            hint = ("build real_pair = torch.cat([maps, real], 1) and fake_pair = "
                    "torch.cat([maps, fake.detach()], 1) and return multiscale_d_loss("
                    "discriminator(real_pair), discriminator(fake_pair)).")
        expect(False, f"Your loss is {float(got):.4f}, expected {want:.4f}: {hint}")
    fake.grad = None
    discriminator.zero_grad()
    fn(discriminator, maps, fake, real).backward()
    expect(fake.grad is None or not fake.grad.any(),
           "Gradients reach the FAKE image: detach it (fake.detach()) in D's loss, or D's "
           "update would also push G, the wrong way.")
    expect(any(p.grad is not None and p.grad.any() for p in discriminator.parameters()),
           "No gradient reaches the discriminator: call it on the pairs inside your "
           "function, without torch.no_grad().")
    passed("conditional discriminator: D judges (map, image) pairs at every scale, the fake "
           "detached")
