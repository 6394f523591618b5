"""VQ-GAN: encoder -> vector quantiser -> decoder, the image tokenizer of unit 07.

``VQGAN.encode_indices`` turns images into token grids (what the transformer is trained on),
``VQGAN.decode_indices`` turns token grids back into images (what generation ends with).
``VQGANConfig()`` holds the sizes of Sber's VQ-GAN that ruDALL-E uses (f = 8: 256 px ->
32 x 32 tokens, 8,192 codes of dimension 256, 128 base channels, channel multipliers
1, 1, 2, 4, two residual blocks per level); our blocks leave out its extra attention layers
at 32 x 32. ``VQGANConfig.course()`` is the small CPU model trained here (64 px -> 8 x 8 tokens).
``VQGANConfig.imagenet()`` is taming-transformers' ``imagenet_vqgan.yaml`` (f = 16, 72,141,699
parameters) in taming's own layout (``layout="taming"``, see ``encoder_decoder``);
``VQGANConfig.imagenet(f=8)`` its f = 8 variant (70,368,131); ``VQGANConfig.course("taming")``
the course's sizes in that layout (a candidate for retraining; the shipped model is the course
layout).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib.models.vqgan.encoder_decoder import (
    Decoder,
    Encoder,
    TamingDecoder,
    TamingEncoder,
)
from course_lib.models.vqgan.quantizer import QuantizerOutput, VectorQuantizer
from course_lib.models.weights_file import ModelFiles

CHECKPOINT_NAME = "landscapes_vqgan"
LAYOUTS = ("course", "taming")


@dataclass
class VQGANConfig:
    """Architecture sizes; defaults are ruDALL-E's VQ-GAN (see the module docstring)."""

    ch: int = 128
    ch_mult: tuple[int, ...] = (1, 1, 2, 4)
    num_res_blocks: int = 2
    z_channels: int = 256
    n_codes: int = 8192
    embed_dim: int = 256
    attention: bool = True
    groups: int = 32
    beta: float = 0.25
    ema: bool = False
    restart_dead: bool = False
    layout: str = "course"  # "taming": taming-transformers' blocks (attn_resolutions, ...)
    attn_resolutions: tuple[int, ...] = ()  # taming layout: attention at these sizes
    resolution: int = 256  # taming layout: image side, to place attn_resolutions

    def __post_init__(self) -> None:
        self.ch_mult = tuple(self.ch_mult)  # from JSON lists
        self.attn_resolutions = tuple(self.attn_resolutions)
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.attn_resolutions and self.layout != "taming":
            raise ValueError("attn_resolutions needs layout='taming' (the course layout has "
                             "attention in the middle part only: attention=True)")
        if self.layout == "taming" and self.num_res_blocks < 1:
            raise ValueError("layout='taming' needs num_res_blocks >= 1: a level's first "
                             "residual block is where its width changes")

    @property
    def factor(self) -> int:
        """Compression factor f: the image side divided by the token grid side."""
        return 2 ** (len(self.ch_mult) - 1)

    @classmethod
    def course(cls, layout: str = "course", ch: int = 16,
               num_res_blocks: int | None = None) -> VQGANConfig:
        """The CPU model of the course: 64 px -> 8 x 8 tokens from 512 codes of dimension 32
        (the shipped checkpoint's sizes: ``ch`` 16, no encoder residual blocks).
        ``layout="taming"``: the same widths in taming's blocks, by default with the one
        residual block per level that layout needs (attention in the middle part only, as
        the course's). ``ch`` and ``num_res_blocks`` make a wider or deeper variant."""
        blocks = (1 if layout == "taming" else 0) if num_res_blocks is None else num_res_blocks
        return cls(ch=ch, ch_mult=(1, 2, 4, 4), num_res_blocks=blocks, z_channels=64,
                   n_codes=512, embed_dim=32, attention=True, groups=8, ema=True,
                   restart_dead=True, layout=layout, resolution=64)

    @classmethod
    def imagenet(cls, f: int = 16) -> VQGANConfig:
        """taming-transformers' ImageNet VQ-GAN (``imagenet_vqgan.yaml``, f = 16: ch_mult
        1, 1, 2, 2, 4, attention at 16 x 16) or its f = 8 variant (1, 2, 2, 4, attention at
        32 x 32); 256 px, 1,024 codes of dimension 256."""
        if f not in (8, 16):
            raise ValueError(f"f must be 8 or 16 (taming's ImageNet configs), got {f}")
        ch_mult, attn = ((1, 1, 2, 2, 4), (16,)) if f == 16 else ((1, 2, 2, 4), (32,))
        return cls(ch=128, ch_mult=ch_mult, num_res_blocks=2, z_channels=256, n_codes=1024,
                   embed_dim=256, layout="taming", attn_resolutions=attn, resolution=256)


class VQGAN(nn.Module):
    """``forward(images)`` -> ``(reconstruction, QuantizerOutput)``; images in [-1, 1]."""

    def __init__(self, config: VQGANConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or VQGANConfig()
        if c.layout == "taming":
            sizes = (c.ch, c.ch_mult, c.num_res_blocks, c.z_channels, c.attn_resolutions,
                     c.resolution, c.attention, c.groups)
            self.encoder: nn.Module = TamingEncoder(*sizes)
        else:
            self.encoder = Encoder(c.ch, c.ch_mult, c.num_res_blocks, c.z_channels,
                                   c.attention, c.groups)
        self.quant_conv = nn.Conv2d(c.z_channels, c.embed_dim, 1)
        self.quantizer = VectorQuantizer(c.n_codes, c.embed_dim, c.beta, ema=c.ema,
                                         restart_dead=c.restart_dead)
        self.post_quant_conv = nn.Conv2d(c.embed_dim, c.z_channels, 1)
        if c.layout == "taming":
            self.decoder: nn.Module = TamingDecoder(*sizes)
        else:
            self.decoder = Decoder(c.ch, c.ch_mult, c.num_res_blocks, c.z_channels,
                                   c.attention, c.groups)

    @property
    def last_layer(self) -> torch.Tensor:
        """The decoder's last weight, where the adaptive GAN weight compares gradients."""
        return self.decoder.conv_out.weight

    def encode(self, images: torch.Tensor) -> QuantizerOutput:
        return self.quantizer(self.quant_conv(self.encoder(images)))

    def decode(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(z_q))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, QuantizerOutput]:
        quant = self.encode(images)
        return self.decode(quant.z_q), quant

    @torch.no_grad()
    def encode_indices(self, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Images (N, 3, H, W) in [-1, 1] -> token ids (N, H/f, W/f), in batches."""
        device = next(self.parameters()).device
        return torch.cat([self.encode(images[i:i + batch_size].to(device)).indices.cpu()
                          for i in range(0, len(images), batch_size)])

    @torch.no_grad()
    def decode_indices(self, indices: torch.Tensor) -> torch.Tensor:
        """Token ids (N, h, w) -> images (N, 3, f*h, f*w), clamped to [-1, 1]."""
        device = next(self.parameters()).device
        z_q = self.quantizer.lookup(indices.to(device).long())
        return self.decode(z_q).clamp(-1, 1)


FILES = ModelFiles(VQGAN, VQGANConfig, CHECKPOINT_NAME, "VQ-GAN", "course train vqgan")
save_vqgan = FILES.save  # fp16 weights + sidecar
load_vqgan = FILES.load  # default: the shipped Landscapes VQ-GAN, eval mode, float32
checkpoint_info = FILES.info  # the sidecar: command, seed, date, measured quality
