"""The residual SPADE block: SPADE -> LeakyReLU -> 3x3 conv, twice, plus a shortcut.

As in the official implementation (after Mescheder et al.'s GAN-stability ResNet): the norm
comes *before* each convolution; the middle width is ``min(fin, fout)``; when the block
changes the number of channels the shortcut is learned too (SPADE, LeakyReLU-free, then a
1x1 convolution without bias), otherwise it is the identity. Every normalisation in the block
is a SPADE layer, so the label map reaches every layer of the generator.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.models.spade.norm import SPADE


def _maybe_spectral(conv: nn.Conv2d, spectral: bool) -> nn.Module:
    """Spectral normalisation (Miyato et al., 2018) keeps the layer's Lipschitz constant near 1;
    it adds buffers (the power-iteration vectors) but no trainable parameters."""
    return nn.utils.parametrizations.spectral_norm(conv) if spectral else conv


class SPADEResBlock(nn.Module):
    """``fin`` -> ``fout`` channels at the same resolution, conditioned on the label map."""

    def __init__(self, fin: int, fout: int, label_nc: int, hidden: int = 128,
                 kernel_size: int = 3, norm: str = "batch", spectral: bool = True) -> None:
        super().__init__()
        self.learned_shortcut = fin != fout
        middle = min(fin, fout)
        spade = dict(label_nc=label_nc, hidden=hidden, kernel_size=kernel_size, norm=norm)
        self.norm_0 = SPADE(fin, **spade)
        self.conv_0 = _maybe_spectral(nn.Conv2d(fin, middle, 3, padding=1), spectral)
        self.norm_1 = SPADE(middle, **spade)
        self.conv_1 = _maybe_spectral(nn.Conv2d(middle, fout, 3, padding=1), spectral)
        if self.learned_shortcut:
            self.norm_s = SPADE(fin, **spade)
            self.conv_s = _maybe_spectral(nn.Conv2d(fin, fout, 1, bias=False), spectral)

    def spade_layers(self) -> list[SPADE]:
        """The block's SPADE layers, in the order they run."""
        return ([self.norm_s] if self.learned_shortcut else []) + [self.norm_0, self.norm_1]

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        shortcut = self.conv_s(self.norm_s(x, segmap)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, segmap), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, segmap), 0.2))
        return shortcut + dx
