"""The sizes of a VQ-GAN: ``VQGANConfig`` and its named presets.

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
