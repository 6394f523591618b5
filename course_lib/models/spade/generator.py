"""The SPADE generator: a random vector in, residual SPADE blocks between upsamplings, an image out.

pix2pixHD's generator is an encoder-decoder that *reads* the label map at its input.
SPADE's generator never reads the map at its input: it starts from a random vector z
(``fc``: a linear layer reshaped to a small grid, 8x8 in the paper, 4x4 in the course) and
the map enters through the SPADE layers of every block instead. The same map with another z
gives another picture (multimodal synthesis); a z from the style encoder gives a picture in
the style of a given image (style transfer).

That is the official ``--use_vae`` form. Without it (``SPADEConfig(use_vae=False)``, the
official default) ``fc`` is a 3x3 convolution on the label map resized (nearest) to the starting
grid, z is ignored, and one map gives one picture.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.models.spade.config import SPADEConfig
from course_lib.models.spade.norm import SPADE
from course_lib.models.spade.resblock import SPADEResBlock


class SPADEGenerator(nn.Module):
    """``forward(segmap, z=None)``: one-hot maps (N, label_nc, H, W) -> images (N, 3, H, W).

    ``z`` (N, z_dim) defaults to fresh N(0, I) noise (unused with ``use_vae=False``). The map
    may have any size: every SPADE layer resizes it (nearest) to its own resolution.
    """

    def __init__(self, config: SPADEConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or SPADEConfig()
        sh, sw = c.start_size
        first = c.mults[0] * c.ngf
        if c.use_vae:
            self.fc: nn.Module = nn.Linear(c.z_dim, first * sh * sw)
        else:
            self.fc = nn.Conv2d(c.label_nc, first, 3, padding=1)
        fins = (c.mults[0],) + c.mults[:-1]
        self.blocks = nn.ModuleList(
            SPADEResBlock(fin * c.ngf, fout * c.ngf, c.label_nc, c.hidden, c.kernel_size,
                          c.norm, c.spectral_norm)
            for fin, fout in zip(fins, c.mults, strict=True))
        self.conv_img = nn.Conv2d(c.mults[-1] * c.ngf, 3, 3, padding=1)

    def noise(self, n: int, device: torch.device | str = "cpu",
              generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ N(0, I), shape (n, z_dim)."""
        return torch.randn(n, self.config.z_dim, device=device, generator=generator)

    def forward(self, segmap: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        c = self.config
        if not c.use_vae:
            x = self.fc(F.interpolate(segmap, size=c.start_size, mode="nearest"))
        else:
            if z is None:
                z = self.noise(len(segmap), segmap.device)
            x = self.fc(z).view(len(z), c.mults[0] * c.ngf, *c.start_size)
        for up, block in zip(c.upsample, self.blocks, strict=True):
            if up:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = block(x, segmap)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))

    def spade_layers(self) -> list[tuple[str, SPADE, tuple[int, int]]]:
        """(name, layer, (height, width)) of every SPADE layer, from the coarsest grid up."""
        c = self.config
        h, w = c.start_size
        out = []
        for i, (up, block) in enumerate(zip(c.upsample, self.blocks, strict=True)):
            if up:
                h, w = 2 * h, 2 * w
            names = (["norm_s"] if block.learned_shortcut else []) + ["norm_0", "norm_1"]
            out += [(f"blocks.{i}.{name}", layer, (h, w))
                    for name, layer in zip(names, block.spade_layers(), strict=True)]
        return out
