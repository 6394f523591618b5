"""Loss functions of the course's generative models (``gan``: the adversarial losses;
``feature_matching``: pix2pixHD's feature-matching loss)."""

from course_lib.losses.feature_matching import feature_matching_loss
from course_lib.losses.gan import (
    GANLoss,
    LSGANCoding,
    d_loss_bce,
    d_loss_lsgan,
    g_loss_lsgan,
    g_loss_nonsaturating,
    g_loss_saturating,
    gan_loss,
)

__all__ = [
    "GANLoss", "LSGANCoding", "d_loss_bce", "feature_matching_loss", "d_loss_lsgan", "g_loss_lsgan",
    "g_loss_nonsaturating", "g_loss_saturating", "gan_loss",
]
