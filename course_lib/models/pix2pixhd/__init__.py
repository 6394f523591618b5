"""pix2pixHD (Wang et al., 2018): label map -> photo, with a coarse-to-fine generator and
three PatchGAN discriminators at different scales.

- ``config``: ``Pix2PixHDConfig`` (defaults: the paper's 2048x1024 model; ``course()``: ours).
- ``blocks``: the generator's layers (c7s1, d, R, u) with instance norm and reflection padding.
- ``generator``: ``GlobalGenerator`` (G1), ``LocalEnhancer`` (G2 around G1), the flaw probe.
- ``discriminator``: ``PatchDiscriminator``, ``MultiscaleDiscriminator``, receptive field.
- ``encoder``: the optional instance-wise feature encoder E.
- ``multimodal``: ``EncodedGenerator``, G plus E (one map, several looks).
- ``build``: ``build_generator``, the generator a config describes.
- ``shipped``: ``load_pix2pixhd``, ``export_pix2pixhd``, ``checkpoint_info`` (the shipped G).
"""

from course_lib.models.pix2pixhd.build import build_generator
from course_lib.models.pix2pixhd.config import Pix2PixHDConfig
from course_lib.models.pix2pixhd.discriminator import (
    MultiscaleDiscriminator,
    PatchDiscriminator,
    downsample,
    patch_receptive_field,
)
from course_lib.models.pix2pixhd.encoder import FeatureEncoder, instance_average
from course_lib.models.pix2pixhd.generator import (
    GlobalGenerator,
    LocalEnhancer,
    first_block_activations,
)
from course_lib.models.pix2pixhd.shipped import checkpoint_info, export_pix2pixhd, load_pix2pixhd

__all__ = [
    "FeatureEncoder", "GlobalGenerator", "LocalEnhancer", "MultiscaleDiscriminator",
    "PatchDiscriminator", "Pix2PixHDConfig", "build_generator", "checkpoint_info", "downsample",
    "export_pix2pixhd", "first_block_activations", "instance_average", "load_pix2pixhd",
    "patch_receptive_field",
]
