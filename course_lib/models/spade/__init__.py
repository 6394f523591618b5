"""SPADE / GauGAN (Park et al., 2019): spatially-adaptive normalisation and its generator.

- ``config``: :class:`SPADEConfig` (paper defaults; ``SPADEConfig.course()`` for CPUs);
- ``norm``: the :class:`SPADE` layer; ``resblock``: :class:`SPADEResBlock`;
- ``generator``: :class:`SPADEGenerator` (z and a label map in, an image out; with
  ``use_vae=False`` the map alone, as the official default);
- ``encoder``: :class:`StyleEncoder` and :func:`reparameterize` (the VAE style encoder);
- ``styled``: :class:`StyledSPADE`, generator + encoder trained together;
- ``params``: parameter counts derived by hand from the architecture;
- ``shipped``: ``load_spade``, ``export_spade``, ``checkpoint_info`` (the shipped G + E).

Pictures from label maps: ``course_lib.models.label_maps.generate`` (z drawn from a seed).

The discriminator is pix2pixHD's multi-scale PatchGAN (``course_lib.models.pix2pixhd``; the
official SPADE form with ``norm_d="spectralinstance"``), built from a ``SPADELossConfig`` by
``course_lib.training.spade_task.build_spade_discriminator``; the losses are in
``course_lib.losses`` (``hinge``, ``kl``, ``feature_matching``).
"""

from course_lib.models.spade.config import SPADEConfig
from course_lib.models.spade.encoder import StyleEncoder, reparameterize
from course_lib.models.spade.generator import SPADEGenerator
from course_lib.models.spade.norm import SPADE, parameter_free_norm
from course_lib.models.spade.params import count_parameters, encoder_params, generator_params
from course_lib.models.spade.resblock import SPADEResBlock
from course_lib.models.spade.shipped import checkpoint_info, export_spade, load_spade
from course_lib.models.spade.styled import StyledSPADE

__all__ = [
    "SPADE", "SPADEConfig", "SPADEGenerator", "SPADEResBlock", "StyleEncoder", "StyledSPADE",
    "checkpoint_info", "count_parameters", "encoder_params", "export_spade", "generator_params",
    "load_spade", "parameter_free_norm", "reparameterize",
]
