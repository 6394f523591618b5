"""x4 super-resolution: the last step of the ruDALL-E pipeline, 64 px samples -> 256 px.

ruDALL-E's transformer draws 256 px pictures and Real-ESRGAN enlarges them x4. Our samples
are 64 px, so the same step makes them 256 px. The network is EDSR's (Lim et al., 2017):
a 3x3 conv, residual blocks (conv-ReLU-conv, no batch norm: normalising would throw away the
range of colours the output must reproduce), a conv, then x2 upsamplers (a conv to 4x the
channels followed by ``PixelShuffle(2)``, which rearranges those channels into a twice larger
picture) and a last conv to RGB. Everything before the upsamplers works at the small size,
which is what makes it cheap.

- :class:`SRConfig` defaults are EDSR-baseline x4 (64 channels, 16 residual blocks:
  1,517,571 parameters); :meth:`SRConfig.course` is the size trained here on a CPU.
- ``bicubic_skip`` (course size) adds the bicubic enlargement to the output, so the network
  only learns the detail bicubic interpolation misses; ``one_shuffle`` (course size) replaces
  the x2 upsamplers by ESPCN's single conv + ``PixelShuffle(4)`` (Shi et al., 2016).
- Training (``course train sr``): renders at 256 px, area-downsampled to 64 px, L1 loss
  (what Real-ESRGAN's generator is first trained with before its GAN stage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.models.weights_file import ModelFiles

CHECKPOINT_NAME = "landscapes_sr_x4"


@dataclass
class SRConfig:
    """Network size; the defaults are EDSR-baseline x4."""

    scale: int = 4
    width: int = 64
    n_blocks: int = 16
    res_scale: float = 1.0
    bicubic_skip: bool = False
    one_shuffle: bool = False

    @classmethod
    def course(cls) -> SRConfig:
        """What ships with the course: 32 channels, 4 blocks, a bicubic skip, one shuffle.

        About 0.4 G multiply-adds per 64 px picture instead of EDSR-baseline's 6.5 G, so 24
        samples are enlarged in about a second on a laptop core.
        """
        return cls(width=32, n_blocks=4, bicubic_skip=True, one_shuffle=True)


class ResBlock(nn.Module):
    """x + res_scale * conv(relu(conv(x)))."""

    def __init__(self, width: int, res_scale: float = 1.0) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(width, width, 3, padding=1))
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.res_scale * self.body(x)


class SuperResolution(nn.Module):
    """EDSR: (N, 3, h, w) in [-1, 1] -> (N, 3, scale*h, scale*w)."""

    def __init__(self, config: SRConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or SRConfig()
        steps = int(round(math.log2(c.scale)))
        if 2**steps != c.scale:
            raise ValueError(f"scale must be a power of two, got {c.scale}")
        self.head = nn.Conv2d(3, c.width, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(c.width, c.res_scale) for _ in range(c.n_blocks)],
                                  nn.Conv2d(c.width, c.width, 3, padding=1))
        if c.one_shuffle:
            # ESPCN's sub-pixel layer: one conv straight to 3 * scale**2 channels at the small
            # size, then one PixelShuffle(scale); no convolution ever runs at the large size.
            self.upsample = nn.Sequential(nn.Conv2d(c.width, 3 * c.scale**2, 3, padding=1),
                                          nn.PixelShuffle(c.scale))
            self.tail = nn.Identity()
        else:
            self.upsample = nn.Sequential(*[m for _ in range(steps) for m in (
                nn.Conv2d(c.width, 4 * c.width, 3, padding=1), nn.PixelShuffle(2))])
            self.tail = nn.Conv2d(c.width, 3, 3, padding=1)
        if c.bicubic_skip:
            # Start as plain bicubic: the last layer to RGB begins at zero, so early training
            # adds detail to bicubic instead of first having to undo random noise.
            last = self.upsample[0] if c.one_shuffle else self.tail
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.head(images)
        x = x + self.body(x)
        out = self.tail(self.upsample(x))
        if self.config.bicubic_skip:
            out = out + bicubic(images, self.config.scale)
        return out


def bicubic(images: torch.Tensor, scale: int = 4) -> torch.Tensor:
    """Bicubic enlargement (the baseline super-resolution must beat)."""
    return F.interpolate(images, scale_factor=scale, mode="bicubic", align_corners=False)


def downsample(images: torch.Tensor, scale: int = 4) -> torch.Tensor:
    """Shrink by averaging ``scale x scale`` blocks (how training pairs are made)."""
    return F.avg_pool2d(images, scale)


@torch.no_grad()
def upscale(model: SuperResolution, images: torch.Tensor, batch_size: int = 8) -> torch.Tensor:
    """Enlarge ``images`` (N, 3, h, w) in [-1, 1] in eval mode, in batches, clamped to [-1, 1]."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = [model(images[i:i + batch_size].to(device)).clamp(-1, 1).cpu()
           for i in range(0, len(images), batch_size)]
    model.train(was_training)
    return torch.cat(out)


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB of pictures in [-1, 1] (peak-to-peak range 2).

    Computed per picture, then averaged, as super-resolution papers report it.
    """
    mse = ((a.float() - b.float()) ** 2).flatten(1).mean(1).clamp(min=1e-10)
    return float((10 * torch.log10(4.0 / mse)).mean())


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


FILES = ModelFiles(SuperResolution, SRConfig, CHECKPOINT_NAME, "super-resolution",
                   "course train sr")
save_sr = FILES.save  # fp16 weights + sidecar
load_sr = FILES.load  # default: the shipped checkpoint, eval mode, float32
checkpoint_info = FILES.info  # the sidecar: command, seed, date, measured quality
