"""SPADE's style encoder: an image in, the mean and log-variance of a Gaussian over z out.

Trained jointly with the generator like the encoder of a VAE (Kingma and Welling, 2014): the
generator receives ``z = mu + sigma * eps`` (the reparameterisation trick, so gradients reach
mu and sigma through the sample) and a KL term pulls each image's Gaussian towards N(0, I).
That is why, after training, a z drawn from N(0, I) also gives a plausible image, while a z
encoded from a sunset picture gives a picture with that picture's lighting and season.

Architecture as the official ``ConvEncoder``: the input is resized (bilinear) to
``encoder_size``; stride-2 3x3 convolutions with spectral norm and instance norm (so no
bias: the norm would remove it) and LeakyReLU(0.2) shrink it to 4x4; channels double up to
8 x ``ndf_encoder``; two linear layers give mu and log sigma^2.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.models.spade.config import SPADEConfig


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """A sample ``mu + exp(logvar / 2) * eps`` with eps ~ N(0, I): differentiable in mu, logvar."""
    eps = torch.randn(mu.shape, device=mu.device, dtype=mu.dtype, generator=generator)
    return mu + torch.exp(0.5 * logvar) * eps


class StyleEncoder(nn.Module):
    """``forward(images)`` -> ``(mu, logvar)``, each (N, z_dim); images (N, 3, H, W) in [-1, 1]."""

    def __init__(self, config: SPADEConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or SPADEConfig()
        n_layers = int(math.log2(c.encoder_size // 4))
        if 4 * 2**n_layers != c.encoder_size:
            raise ValueError(f"encoder_size must be 4 times a power of two, got {c.encoder_size}")
        layers, cin = [], 3
        for k in range(n_layers):
            cout = c.ndf_encoder * min(2**k, 8)
            conv = nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)
            if c.spectral_norm:
                conv = nn.utils.parametrizations.spectral_norm(conv)
            layers += [conv, nn.InstanceNorm2d(cout, affine=False), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(cin * 16, c.z_dim)
        self.fc_var = nn.Linear(cin * 16, c.z_dim)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        size = self.config.encoder_size
        if images.shape[-2:] != (size, size):
            images = F.interpolate(images, size=(size, size), mode="bilinear",
                                   align_corners=False)
        x = self.features(images).flatten(1)
        return self.fc_mu(x), self.fc_var(x)

    def encode(self, images: torch.Tensor, sample: bool = False,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """The style code of ``images``: the mean (default) or a reparameterised sample."""
        mu, logvar = self(images)
        return reparameterize(mu, logvar, generator) if sample else mu
