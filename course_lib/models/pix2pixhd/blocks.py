"""The layers pix2pixHD's generator is built from, in the paper's notation.

``c7s1-k``: reflection padding 3, 7x7 convolution with k filters, stride 1, instance norm, ReLU.
``dk``: 3x3 convolution with k filters, stride 2 (halves the size), instance norm, ReLU.
``Rk``: residual block, two reflection-padded 3x3 convolutions with k filters, ``x + F(x)``.
``uk``: 3x3 transposed convolution with k filters, stride 2 (doubles the size), norm, ReLU.

Instance norm (Ulyanov et al., 2016) normalises each channel of each image on its own. Batch
norm would normalise with statistics of the whole batch, so the pixels of one generated image
would depend on the other images it happens to be batched with, and the statistics at test
time (running averages) differ from those seen in training; both hurt a generator, whose job
is a per-image mapping. Following the official code, the norm has no learned scale or shift.

Reflection padding mirrors the border instead of adding zeros, so the border of a generated
image does not look different from its middle.
"""

from __future__ import annotations

import torch
from torch import nn


def norm(channels: int) -> nn.Module:
    return nn.InstanceNorm2d(channels, affine=False)


def c7s1(cin: int, cout: int) -> list[nn.Module]:
    """``c7s1-k``: the 7x7 front layer (reflect-padded) with norm and ReLU."""
    return [nn.ReflectionPad2d(3), nn.Conv2d(cin, cout, 7), norm(cout), nn.ReLU()]


def down(cin: int, cout: int) -> list[nn.Module]:
    """``dk``: a stride-2 3x3 convolution that halves the size."""
    return [nn.Conv2d(cin, cout, 3, stride=2, padding=1), norm(cout), nn.ReLU()]


def up(cin: int, cout: int, mode: str = "transposed") -> list[nn.Module]:
    """``uk``: double the size, then norm and ReLU.

    ``mode="transposed"`` (the paper): a stride-2 3x3 transposed convolution. Its kernel
    overlaps itself unevenly (output pixels alternately get 1 and 2 contributions per axis),
    which prints a checkerboard into the image unless training learns to cancel it.
    ``mode="resize"`` (Odena et al., 2016, "Deconvolution and checkerboard artifacts"):
    nearest-neighbour upsampling, then a reflect-padded 3x3 convolution, with exactly as
    many parameters and every output pixel computed the same way.
    """
    if mode == "transposed":
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1)]
    elif mode == "resize":
        layers = [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1),
                  nn.Conv2d(cin, cout, 3)]
    else:
        raise ValueError(f"upsampling mode must be 'transposed' or 'resize', not {mode!r}")
    return [*layers, norm(cout), nn.ReLU()]


def to_image(cin: int, cout: int = 3) -> list[nn.Module]:
    """The last ``c7s1-3`` layer: 7x7 convolution to RGB and tanh, no norm."""
    return [nn.ReflectionPad2d(3), nn.Conv2d(cin, cout, 7), nn.Tanh()]


class ResnetBlock(nn.Module):
    """``Rk``: ``x + conv(relu(norm(conv(x))))`` with reflection padding; the size is kept."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), norm(channels), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), norm(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)
