"""The convolutional encoder and decoder of VQ-GAN (Esser et al., 2021), as in taming-transformers.

Encoder: a 3x3 convolution, then one *level* per entry of ``ch_mult``; each level holds
``num_res_blocks`` residual blocks with ``ch * mult`` channels and, except the last, halves
the resolution with a stride-2 convolution that also moves to the next level's width.
``len(ch_mult) - 1`` halvings give the compression factor f = 2 ** (len(ch_mult) - 1): four
levels -> f = 8, so a 256 px image becomes a 32 x 32 grid of vectors (ruDALL-E's 1,024 image
tokens) and a 64 px one an 8 x 8 grid. A middle part (residual block, self-attention over the
h*w positions, residual block) lets every position see the whole image before the 3x3
projection to ``z_channels``.

The decoder mirrors it: middle part, then levels from coarse to fine with
``num_res_blocks + 1`` residual blocks each and, between levels, a nearest-neighbour x2
upsampling followed by a 3x3 convolution to the finer level's width; then normalisation,
SiLU and a 3x3 convolution to RGB. Residual branches start at zero (each block begins as the
identity), which shortens the slow start of training. The decoder's last convolution is the
"last layer" at which VQ-GAN's adaptive weight compares the gradients of the reconstruction
and the adversarial loss.

:class:`TamingEncoder` and :class:`TamingDecoder` are the layout of taming-transformers itself
(``VQGANConfig(layout="taming")``): there each level's *first* residual block changes the width
(with a 1x1 shortcut) and the resampling convolutions keep it (down: pad right and bottom by
one, then a 3x3 stride-2 convolution; up: nearest x2, then a 3x3 convolution); self-attention
follows every residual block of a level whose resolution is in ``attn_resolutions`` (and sits
in the middle part); blocks use PyTorch's default initialisation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.models.vqgan.config import VQGANConfig


def norm(channels: int, groups: int) -> nn.GroupNorm:
    """GroupNorm with at most ``groups`` groups (fewer if the channels do not divide)."""
    while channels % groups:
        groups //= 2
    return nn.GroupNorm(groups, channels, eps=1e-6)


class ResBlock(nn.Module):
    """norm-SiLU-conv3x3 twice, plus the input (through a 1x1 conv if the width changes)."""

    def __init__(self, cin: int, cout: int, groups: int, zero_init: bool = True) -> None:
        super().__init__()
        self.norm1, self.conv1 = norm(cin, groups), nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2, self.conv2 = norm(cout, groups), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        if zero_init:  # each block starts as the identity: faster start
            nn.init.zeros_(self.conv2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class AttnBlock(nn.Module):
    """Single-head self-attention over all positions of a feature map, with a residual."""

    def __init__(self, channels: int, groups: int, zero_init: bool = True) -> None:
        super().__init__()
        self.norm = norm(channels, groups)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)  # taming's q, k and v in one conv
        self.proj = nn.Conv2d(channels, channels, 1)
        if zero_init:
            nn.init.zeros_(self.proj.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).transpose(-1, -2).unbind(1)
        out = F.scaled_dot_product_attention(q, k, v)  # (n, h*w, c)
        return x + self.proj(out.transpose(-1, -2).reshape(n, c, h, w))


def _middle(channels: int, groups: int, attention: bool, zero_init: bool = True
            ) -> nn.Sequential:
    parts = [ResBlock(channels, channels, groups, zero_init)]
    if attention:
        parts.append(AttnBlock(channels, groups, zero_init))
    return nn.Sequential(*parts, ResBlock(channels, channels, groups, zero_init))


class _Tower(nn.Module):
    """What the encoder and the decoder end with: normalisation, SiLU, then a 3x3 convolution
    to ``out_channels`` (``z_channels`` for the encoder, RGB for the decoder)."""

    def _end_with(self, channels: int, out_channels: int, groups: int) -> None:
        self.norm_out = norm(channels, groups)
        self.conv_out = nn.Conv2d(channels, out_channels, 3, padding=1)

    def _out(self, h: torch.Tensor) -> torch.Tensor:
        return self.conv_out(F.silu(self.norm_out(h)))


class Encoder(_Tower):
    """Image (N, 3, H, W) in [-1, 1] -> features (N, z_channels, H/f, W/f)."""

    def __init__(self, c: VQGANConfig) -> None:
        super().__init__()
        widths, groups = [c.ch * m for m in c.ch_mult], c.groups
        self.conv_in = nn.Conv2d(3, widths[0], 3, padding=1)
        layers: list[nn.Module] = []
        for level, width in enumerate(widths):
            layers += [ResBlock(width, width, groups) for _ in range(c.num_res_blocks)]
            if level < len(widths) - 1:  # halve the resolution, change to the next width
                layers.append(nn.Conv2d(width, widths[level + 1], 3, stride=2, padding=1))
        self.down = nn.Sequential(*layers)
        self.mid = _middle(widths[-1], groups, c.attention)
        self._end_with(widths[-1], c.z_channels, groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._out(self.mid(self.down(self.conv_in(x))))


class Upsample(nn.Module):
    """Nearest-neighbour x2 then a 3x3 convolution (no checkerboard artefacts)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Decoder(_Tower):
    """Features (N, z_channels, h, w) -> image (N, 3, f*h, f*w), unbounded (aim: [-1, 1])."""

    def __init__(self, c: VQGANConfig) -> None:
        super().__init__()
        widths, groups = [c.ch * m for m in c.ch_mult], c.groups
        self.conv_in = nn.Conv2d(c.z_channels, widths[-1], 3, padding=1)
        self.mid = _middle(widths[-1], groups, c.attention)
        layers: list[nn.Module] = []
        for level in reversed(range(len(widths))):
            layers += [ResBlock(widths[level], widths[level], groups)
                       for _ in range(c.num_res_blocks + 1)]
            if level > 0:  # double the resolution, change to the next (finer) width
                layers.append(Upsample(widths[level], widths[level - 1]))
        self.up = nn.Sequential(*layers)
        self._end_with(widths[0], 3, groups)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self._out(self.up(self.mid(self.conv_in(z))))


class Downsample(nn.Module):
    """Halve the size at the same width: pad (left 0, right 1, top 0, bottom 1), 3x3 stride 2."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (0, 1, 0, 1)))


def _level(cin: int, cout: int, blocks: int, attend: bool, groups: int) -> list[nn.Module]:
    """``blocks`` residual blocks (the first one changes the width), each followed by
    self-attention if ``attend``."""
    parts: list[nn.Module] = []
    for _ in range(blocks):
        parts.append(ResBlock(cin, cout, groups, zero_init=False))
        if attend:
            parts.append(AttnBlock(cout, groups, zero_init=False))
        cin = cout
    return parts


class TamingEncoder(_Tower):
    """taming-transformers' encoder: image (N, 3, H, W) -> features (N, z_channels, H/f, W/f)."""

    def __init__(self, c: VQGANConfig) -> None:
        super().__init__()
        widths, groups = [c.ch * m for m in c.ch_mult], c.groups
        self.conv_in = nn.Conv2d(3, c.ch, 3, padding=1)
        layers: list[nn.Module] = []
        cin, res = c.ch, c.resolution
        for level, width in enumerate(widths):
            layers += _level(cin, width, c.num_res_blocks, res in c.attn_resolutions, groups)
            cin = width
            if level < len(widths) - 1:
                layers.append(Downsample(width))
                res //= 2
        self.down = nn.Sequential(*layers)
        self.mid = _middle(cin, groups, c.attention, zero_init=False)
        self._end_with(cin, c.z_channels, groups)

    forward = Encoder.forward


class TamingDecoder(_Tower):
    """taming-transformers' decoder: features (N, z_channels, h, w) -> image (N, 3, f*h, f*w)."""

    def __init__(self, c: VQGANConfig) -> None:
        super().__init__()
        widths, groups = [c.ch * m for m in c.ch_mult], c.groups
        cin, res = widths[-1], c.resolution // c.factor
        self.conv_in = nn.Conv2d(c.z_channels, cin, 3, padding=1)
        self.mid = _middle(cin, groups, c.attention, zero_init=False)
        layers: list[nn.Module] = []
        for level in reversed(range(len(widths))):
            layers += _level(cin, widths[level], c.num_res_blocks + 1, res in c.attn_resolutions,
                             groups)
            cin = widths[level]
            if level > 0:
                layers.append(Upsample(cin, cin))
                res *= 2
        self.up = nn.Sequential(*layers)
        self._end_with(cin, 3, groups)

    forward = Decoder.forward
