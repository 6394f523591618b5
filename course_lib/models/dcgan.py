"""Unit 04: a DCGAN-style generator and discriminator for 28x28 images (Radford et al., 2015).

The generator grows an image: a transposed convolution turns z (as a 1x1 "image" with
``latent_dim`` channels) into a 7x7 map, then each stride-2 transposed convolution doubles
the size, 7 -> 14 -> 28. The discriminator mirrors it: each stride-2 convolution halves the
size, 28 -> 14 -> 7, and a linear layer turns the 7x7 map into one score.

The DCGAN recipe, as in the paper: no pooling (strided convolutions), batch norm in both
networks except G's output layer and D's input layer, ReLU in G with tanh at the end,
LeakyReLU(0.2) in D, weights drawn from N(0, 0.02) (``dcgan_init``), Adam(2e-4, betas 0.5, 0.999).

``kernel_size`` 4 with padding 1 is the paper's choice; 2 with padding 0 also doubles or halves
the size exactly (a 2x2 stride-2 (transposed) convolution: every output pixel sees one input
pixel, so there is no overlap and no checkerboard pattern).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class DCGANConfig:
    """Sizes of the DCGAN for 28x28 grey images."""

    latent_dim: int = 100
    channels: int = 1
    g_channels: int = 128  # channels of G's 7x7 map; the 14x14 map has half of them
    d_channels: int = 64  # channels of D's 14x14 map; the 7x7 map has twice as many
    kernel_size: int = 4  # 4 (paper) or 2; both double/halve the size with stride 2
    # Batch norm in G (the DCGAN recipe). False leaves it out, the harder setting in which
    # Mao et al. (2017, section 4.2) saw the GAN fail and LSGAN still learn.
    g_batch_norm: bool = True


def _padding(kernel_size: int) -> int:
    if kernel_size not in (2, 4):
        raise ValueError(
            f"kernel_size must be 2 or 4 (to double or halve exactly), not {kernel_size}")
    return (kernel_size - 2) // 2


class DCGANGenerator(nn.Module):
    """z (N, latent_dim) -> images (N, channels, 28, 28) in [-1, 1]."""

    def __init__(self, config: DCGANConfig | None = None):
        super().__init__()
        self.config = c = config or DCGANConfig()
        k, p = c.kernel_size, _padding(c.kernel_size)
        norm = nn.BatchNorm2d if c.g_batch_norm else lambda _: nn.Identity()
        bias = not c.g_batch_norm  # a bias before batch norm is cancelled by its mean
        self.net = nn.Sequential(
            nn.ConvTranspose2d(c.latent_dim, c.g_channels, 7, bias=bias),  # 1x1 -> 7x7
            norm(c.g_channels),
            nn.ReLU(),
            nn.ConvTranspose2d(c.g_channels, c.g_channels // 2, k, 2, p, bias=bias),  # -> 14x14
            norm(c.g_channels // 2),
            nn.ReLU(),
            nn.ConvTranspose2d(c.g_channels // 2, c.channels, k, 2, p),  # -> 28x28
            nn.Tanh(),
        )
        dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(len(z), -1, 1, 1))


class DCGANDiscriminator(nn.Module):
    """Images (N, channels, 28, 28) -> one raw score per image, shape (N,).

    For the original GAN loss the score is a logit (``probability`` applies the sigmoid);
    for LSGAN it is used as it is.
    """

    def __init__(self, config: DCGANConfig | None = None):
        super().__init__()
        self.config = c = config or DCGANConfig()
        k, p = c.kernel_size, _padding(c.kernel_size)
        self.net = nn.Sequential(
            nn.Conv2d(c.channels, c.d_channels, k, 2, p),  # 28 -> 14, no batch norm here
            nn.LeakyReLU(0.2),
            nn.Conv2d(c.d_channels, c.d_channels * 2, k, 2, p, bias=False),  # 14 -> 7
            nn.BatchNorm2d(c.d_channels * 2),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(c.d_channels * 2 * 7 * 7, 1),
        )
        dcgan_init(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images).squeeze(1)

    def probability(self, images: torch.Tensor) -> torch.Tensor:
        """D(x): the probability that each image is real (meaningful for the BCE losses)."""
        return torch.sigmoid(self(images))


@torch.no_grad()
def dcgan_init(module: nn.Module) -> None:
    """DCGAN's initialisation: conv/linear weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def build_dcgan(config: DCGANConfig | None = None) -> tuple[DCGANGenerator, DCGANDiscriminator]:
    """A fresh generator and discriminator sharing one config."""
    config = config or DCGANConfig()
    return DCGANGenerator(config), DCGANDiscriminator(config)
