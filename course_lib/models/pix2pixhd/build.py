"""``build_generator``: the generator a ``Pix2PixHDConfig`` describes.

It sits above ``generator`` (G1, G2) and ``multimodal`` (G plus the feature encoder E), so
that neither of those two has to import the other's module back.
"""

from __future__ import annotations

from torch import nn

from course_lib.models.pix2pixhd.config import Pix2PixHDConfig
from course_lib.models.pix2pixhd.encoder import FeatureEncoder
from course_lib.models.pix2pixhd.generator import GlobalGenerator, LocalEnhancer
from course_lib.models.pix2pixhd.multimodal import EncodedGenerator


def build_generator(config: Pix2PixHDConfig | None = None) -> nn.Module:
    """G1 alone (``n_local_enhancers == 0``) or G1 wrapped by local enhancers; with
    ``use_encoder``, that generator plus the feature encoder E (an ``EncodedGenerator``)."""
    c = config or Pix2PixHDConfig()
    if c.n_local_enhancers == 0:
        generator: nn.Module = GlobalGenerator(c.generator_in_channels, c.image_channels, c.ngf,
                                               c.n_downsample_global, c.n_blocks_global,
                                               upsample=c.upsample)
    else:
        generator = LocalEnhancer(c.generator_in_channels, c.image_channels, c.ngf,
                                  c.n_downsample_global, c.n_blocks_global,
                                  c.n_local_enhancers, c.n_blocks_local, c.upsample)
    if not c.use_encoder:
        return generator
    encoder = FeatureEncoder(c.image_channels, c.feat_num, c.nef, c.n_downsample_e)
    return EncodedGenerator(generator, encoder, c.label_channels, c.clusters)
