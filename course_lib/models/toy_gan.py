"""Small MLPs for 2-D GAN experiments (the ring of Gaussians of ``course_lib.data.toy2d``).

G maps z (``latent_dim`` numbers) to a point in the plane; D maps a point to one raw score.
Both are ``hidden``-unit ReLU MLPs with ``layers`` hidden layers, the scale of the mixture
experiments in the LSGAN paper; they train in seconds, so the same comparison can be
repeated over many seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn


@dataclass
class ToyGANConfig:
    """Sizes of the 2-D GAN."""

    latent_dim: int = 2  # numbers in z
    hidden: int = 128  # units in each hidden layer, of G and of D
    layers: int = 3  # hidden layers of each network
    data_dim: int = 2  # a sample is a point in the plane


def mlp(inputs: int, hidden: int, layers: int, outputs: int) -> nn.Sequential:
    """``layers`` hidden ReLU layers of ``hidden`` units, then a linear output layer."""
    sizes = [inputs] + [hidden] * layers
    blocks = [m for a, b in zip(sizes[:-1], sizes[1:], strict=True)
              for m in (nn.Linear(a, b), nn.ReLU())]
    return nn.Sequential(*blocks, nn.Linear(sizes[-1], outputs))


class ToyGenerator(nn.Module):
    """z (N, latent_dim) -> points (N, data_dim)."""

    def __init__(self, config: ToyGANConfig | None = None):
        super().__init__()
        self.config = c = config or ToyGANConfig()
        self.net = mlp(c.latent_dim, c.hidden, c.layers, c.data_dim)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """Points (N, data_dim) -> one raw score each, shape (N,)."""

    def __init__(self, config: ToyGANConfig | None = None):
        super().__init__()
        self.config = c = config or ToyGANConfig()
        self.net = mlp(c.data_dim, c.hidden, c.layers, 1)

    def forward(self, points: Tensor) -> Tensor:
        return self.net(points).squeeze(1)
