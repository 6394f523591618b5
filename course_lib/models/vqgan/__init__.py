"""VQ-GAN (Esser et al., 2021): the image tokenizer of unit 07.

- ``encoder_decoder``: convolutional encoder and decoder (compression factor 8 by default),
  in the course's layout or taming-transformers' (``VQGANConfig(layout="taming")``);
- ``quantizer``: nearest-code vector quantiser, straight-through gradient, commitment loss,
  optional EMA codebook and dead-code restart;
- ``losses``: L1 + perceptual (segmenter features) + hinge PatchGAN with the adaptive weight;
- ``config``: ``VQGANConfig``, the sizes, with the ruDALL-E, course and ImageNet presets;
- ``model``: ``VQGAN`` and loading the shipped Landscapes checkpoint.
"""

from course_lib.models.vqgan.losses import (
    PatchDiscriminator,
    SegmenterPerceptual,
    adaptive_weight,
    hinge_d_loss,
    hinge_g_loss,
)
from course_lib.models.vqgan.model import (
    VQGAN,
    VQGANConfig,
    checkpoint_info,
    load_vqgan,
    save_vqgan,
)
from course_lib.models.vqgan.quantizer import QuantizerOutput, VectorQuantizer, perplexity

__all__ = [
    "PatchDiscriminator", "QuantizerOutput", "SegmenterPerceptual", "VQGAN", "VQGANConfig",
    "VectorQuantizer", "adaptive_weight", "checkpoint_info", "hinge_d_loss", "hinge_g_loss",
    "load_vqgan", "perplexity", "save_vqgan",
]
