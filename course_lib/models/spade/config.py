"""Sizes of SPADE's networks: the paper's configuration as defaults, a small one for CPUs.

The defaults reproduce the official implementation (NVlabs/SPADE) trained on ADE20K at
256x256 with the style encoder (``--use_vae``): 150 classes plus "don't care" give 151 label
channels, ``ngf`` 64, a 256-dimensional z, a 128-channel hidden layer in every SPADE layer,
batch norm without affine parameters under every SPADE (``spectralspadesyncbatch3x3``) and
five nearest-neighbour upsamplings from an 8x8 grid. ``use_vae=False`` is the official code's
default generator: instead of a linear layer on z it starts from a 3x3 convolution on the label
map downsampled (nearest) to the starting grid, and z is not used. :meth:`SPADEConfig.course`
is what this course trains on a laptop CPU: Landscapes' 9 classes at 64 px, from a 4x4 grid.

The generator is a list of residual SPADE blocks. Block ``i`` turns ``mults[i - 1] * ngf``
channels (``mults[0] * ngf`` for the first block) into ``mults[i] * ngf`` channels;
``upsample[i]`` says whether the features are doubled in size just before it. The paper's
"normal" generator is ``head_0, up, G_middle_0, G_middle_1, up, up_0, up, up_1, up, up_2,
up, up_3``: mults ``(16, 16, 16, 8, 4, 2, 1)`` with upsampling before blocks 1, 3, 4, 5, 6.
``num_upsampling_layers=more`` (Cityscapes) also upsamples between ``G_middle_0`` and
``G_middle_1``: before blocks 1 to 6 (see :meth:`SPADEConfig.cityscapes`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SPADEConfig:
    """SPADE generator and style encoder (defaults: the paper's ADE20K configuration)."""

    label_nc: int = 151  # channels of the one-hot map (ADE20K: 150 classes + don't care)
    image_size: int = 256  # width of the generated image
    aspect_ratio: float = 1.0  # width / height (Cityscapes: 2.0)
    ngf: int = 64  # base channel count of the generator
    z_dim: int = 256  # length of the style / noise vector
    mults: tuple[int, ...] = (16, 16, 16, 8, 4, 2, 1)
    upsample: tuple[bool, ...] = (False, True, False, True, True, True, True)
    hidden: int = 128  # channels of the shared conv in every SPADE layer ("nhidden")
    kernel_size: int = 3  # of the SPADE layer's convolutions ("3x3")
    norm: str = "batch"  # parameter-free norm under SPADE: batch (sync batch) or instance
    spectral_norm: bool = True  # on the residual blocks' convolutions (and the encoder's)
    ndf_encoder: int = 64  # base channels of the style encoder (official: ngf)
    encoder_size: int = 256  # the encoder resizes its input to this (official: 256)
    use_vae: bool = True  # official --use_vae: start from Linear(z); False: a 3x3 conv on the map

    def __post_init__(self) -> None:
        self.mults, self.upsample = tuple(self.mults), tuple(self.upsample)  # from JSON lists
        if len(self.mults) != len(self.upsample):
            raise ValueError("mults and upsample need one entry per residual block")
        if self.norm not in ("batch", "instance"):
            raise ValueError(f"norm must be 'batch' or 'instance', got {self.norm!r}")
        size = 2 ** sum(self.upsample)
        if self.image_size % size:
            raise ValueError(f"image_size {self.image_size} is not divisible by {size} "
                             f"({sum(self.upsample)} upsamplings)")

    @property
    def start_size(self) -> tuple[int, int]:
        """(height, width) of the grid the generator starts from (official ``sh, sw``)."""
        sw = self.image_size // 2 ** sum(self.upsample)
        return round(sw / self.aspect_ratio), sw

    @classmethod
    def cityscapes(cls, **changes) -> SPADEConfig:
        """The official Cityscapes configuration: 35 labels + instance edges = 36 channels,
        512 x 256 px (aspect 2), ``num_upsampling_layers=more`` (six upsamplings from 4 x 8)."""
        base = dict(label_nc=36, image_size=512, aspect_ratio=2.0,
                    upsample=(False, True, True, True, True, True, True))
        return cls(**{**base, **changes})

    @classmethod
    def course(cls, **changes) -> SPADEConfig:
        """What the course trains on a CPU: 9 Landscapes classes, 64 px, from a 4x4 grid."""
        base = dict(label_nc=9, image_size=64, ngf=12, z_dim=64, mults=(16, 8, 4, 2, 1),
                    upsample=(False, True, True, True, True), hidden=16, ndf_encoder=16,
                    encoder_size=64)
        return cls(**{**base, **changes})
