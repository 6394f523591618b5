"""Unit 03: the fully connected GAN of Goodfellow et al. (2014), sized for 28x28 images.

The generator maps a random normal vector z to an image; the discriminator maps an image to
one score whose sigmoid is the probability that the image is real. Both are plain MLPs, as in
the paper's MNIST experiment: the generator has two hidden layers of 1200 ReLU units, the
discriminator two layers of 240 *maxout* units with 5 pieces each and dropout.

Two choices differ from the paper and are stated here: z is normal rather than uniform (the
course's convention), and the generator ends in ``tanh`` because the images are scaled to
[-1, 1] (the paper's sigmoid output matches [0, 1] data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class MLPGANConfig:
    """Sizes of the MLP GAN (defaults: the paper's MNIST model)."""

    latent_dim: int = 100
    image_shape: tuple[int, int, int] = (1, 28, 28)
    g_hidden: tuple[int, ...] = (1200, 1200)
    d_hidden: tuple[int, ...] = (240, 240)
    maxout_pieces: int = 5
    dropout: float = 0.5  # the paper used dropout in D; this rate is the course's choice


class Maxout(nn.Module):
    """A linear layer with ``pieces`` outputs per unit that keeps the largest (Goodfellow 2013)."""

    def __init__(self, in_features: int, units: int, pieces: int):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(-1, self.units, self.pieces).amax(dim=-1)


class MLPGenerator(nn.Module):
    """z (N, latent_dim) -> images (N, C, H, W) in [-1, 1]."""

    def __init__(self, config: MLPGANConfig | None = None):
        super().__init__()
        self.config = config = config or MLPGANConfig()
        layers: list[nn.Module] = []
        width = config.latent_dim
        for hidden in config.g_hidden:
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        layers += [nn.Linear(width, math.prod(config.image_shape)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, *self.config.image_shape)


class MLPDiscriminator(nn.Module):
    """Images (N, C, H, W) -> one raw score (logit) per image, shape (N,)."""

    def __init__(self, config: MLPGANConfig | None = None):
        super().__init__()
        self.config = config = config or MLPGANConfig()
        layers: list[nn.Module] = [nn.Flatten()]
        width = math.prod(config.image_shape)
        for hidden in config.d_hidden:
            layers += [Maxout(width, hidden, config.maxout_pieces), nn.Dropout(config.dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images).squeeze(1)

    def probability(self, images: torch.Tensor) -> torch.Tensor:
        """D(x): the probability that each image is real."""
        return torch.sigmoid(self(images))


def build_mlp_gan(config: MLPGANConfig | None = None) -> tuple[MLPGenerator, MLPDiscriminator]:
    """A fresh generator and discriminator sharing one config."""
    config = config or MLPGANConfig()
    return MLPGenerator(config), MLPDiscriminator(config)
