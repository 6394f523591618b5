"""pix2pixHD (Wang et al., 2018): label map -> photo, with a coarse-to-fine generator and
three PatchGAN discriminators at different scales.

- ``discriminator``: ``PatchDiscriminator``, ``MultiscaleDiscriminator``, receptive field.
"""

from course_lib.models.pix2pixhd.discriminator import (
    MultiscaleDiscriminator,
    PatchDiscriminator,
    downsample,
    patch_receptive_field,
)

__all__ = ["MultiscaleDiscriminator", "PatchDiscriminator", "downsample", "patch_receptive_field"]
