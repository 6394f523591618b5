"""pix2pixHD's multi-scale discriminator: three PatchGANs that look at 1, 1/2 and 1/4 scale.

A *PatchGAN* (Isola et al., 2017) does not squeeze the image into one score. It is a stack of
4x4 convolutions that ends with a map of scores, one per overlapping patch; each score only
sees a 70x70 window of the input (for ``n_layers=3``, see :func:`patch_receptive_field`).
Judging patches is cheaper than judging the whole image, needs fewer parameters, and works
at any image size: a bigger image simply gives a bigger score map, and the loss averages it.

One PatchGAN at full resolution sees fine texture but not the layout of a 2048-pixel-wide
street. pix2pixHD (Wang et al., 2018) therefore runs three discriminators *of the same
structure* on the image at scales 1, 1/2 and 1/4 (average-pooled). The coarsest one judges
the global arrangement with the same 70x70 window, which now spans 280x280 original pixels;
the finest one judges detail.

In pix2pixHD the discriminator receives the label map concatenated with the image, so it
judges (map, image) *pairs*: a realistic sky where the map says grass is still a fake.
``in_channels`` is therefore ``label channels + 3``.

``forward`` returns every layer's output, because the generator's feature-matching loss
compares D's intermediate features on real and generated images
(:func:`course_lib.losses.feature_matching.feature_matching_loss`).

Layer list of one PatchGAN (``ndf=64``, ``n_layers=3``; the official code's ``NLayerDiscriminator``
with ``getIntermFeat``), instance norm without learned parameters, LeakyReLU(0.2)::

    C64 (stride 2, no norm) - C128 (stride 2) - C256 (stride 2) - C512 (stride 1) - C1 (stride 1)

every convolution 4x4 with padding 2, channels capped at 512.

SPADE's official discriminator is the same network with ``norm_D=spectralinstance``
(``norm_d="spectralinstance"`` here): the three instance-normed convolutions get spectral norm
and lose their bias (the norm would subtract it); the first and last keep their bias and get
no spectral norm. SPADE counts its layers differently: its ``n_layers_D=4`` is this ``n_layers=3``.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

KERNEL = 4
PADDING = math.ceil((KERNEL - 1) / 2)  # 2, as in the official code
NORMS_D = ("instance", "spectralinstance")  # pix2pixHD's norm; SPADE's official norm_D


def patch_layer_specs(n_layers: int = 3) -> list[tuple[int, int]]:
    """(kernel, stride) of each convolution of a PatchGAN with ``n_layers`` stride-2 layers."""
    return [(KERNEL, 2)] * n_layers + [(KERNEL, 1), (KERNEL, 1)]


def patch_receptive_field(n_layers: int = 3) -> int:
    """Width in input pixels that one output score sees; 70 for ``n_layers=3``.

    Walk backwards from one output pixel: a layer with kernel k and stride s turns a window of
    r pixels on its output into ``(r - 1) * s + k`` pixels on its input.
    """
    r = 1
    for kernel, stride in reversed(patch_layer_specs(n_layers)):
        r = (r - 1) * stride + kernel
    return r


class PatchDiscriminator(nn.Module):
    """One PatchGAN: ``forward(x)`` returns the list of every layer's output (last = scores).

    ``norm_d``: ``"instance"`` (pix2pixHD) or ``"spectralinstance"`` (SPADE's official D).
    """

    def __init__(self, in_channels: int, ndf: int = 64, n_layers: int = 3,
                 norm_d: str = "instance"):
        super().__init__()
        if norm_d not in NORMS_D:
            raise ValueError(f"norm_d must be one of {NORMS_D}, got {norm_d!r}")
        spectral = norm_d == "spectralinstance"
        specs = patch_layer_specs(n_layers)
        layers: list[nn.Module] = []
        cin, cout = in_channels, ndf
        for i, (kernel, stride) in enumerate(specs[:-1]):
            conv = nn.Conv2d(cin, cout, kernel, stride, PADDING, bias=not (spectral and i > 0))
            if spectral and i > 0:
                conv = nn.utils.parametrizations.spectral_norm(conv)
            parts: list[nn.Module] = [conv]
            if i > 0:  # the first layer has no normalisation
                parts.append(nn.InstanceNorm2d(cout))
            parts.append(nn.LeakyReLU(0.2))
            layers.append(nn.Sequential(*parts))
            cin, cout = cout, min(cout * 2, 512)
        kernel, stride = specs[-1]
        layers.append(nn.Conv2d(cin, 1, kernel, stride, PADDING))  # one score per patch
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return features


def downsample(x: torch.Tensor) -> torch.Tensor:
    """Halve the resolution as pix2pixHD does: 3x3 average pooling, stride 2, padding 1, where
    border windows average only the pixels inside the image (``count_include_pad=False``)."""
    return F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)


class MultiscaleDiscriminator(nn.Module):
    """``num_d`` PatchGANs of the same structure, on the input at scales 1, 1/2, 1/4, ...

    ``forward(x)`` returns a list with one entry per scale, full resolution first; each entry
    is that PatchGAN's list of intermediate feature maps, the last being its patch scores.
    ``x`` is the label map concatenated with an image: (N, in_channels, H, W).
    """

    def __init__(self, in_channels: int, ndf: int = 64, n_layers: int = 3, num_d: int = 3,
                 norm_d: str = "instance"):
        super().__init__()
        self.in_channels, self.ndf, self.n_layers, self.num_d = in_channels, ndf, n_layers, num_d
        self.discriminators = nn.ModuleList(
            PatchDiscriminator(in_channels, ndf, n_layers, norm_d) for _ in range(num_d))

    def forward(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        outputs = []
        for i, discriminator in enumerate(self.discriminators):
            if i > 0:
                x = downsample(x)
            outputs.append(discriminator(x))
        return outputs
