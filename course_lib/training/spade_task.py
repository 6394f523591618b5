"""SPADE's training step (unit 06): a label map and a style code in, an image out, hinge loss.

``SPADETask`` tells the shared ``GANTrainer`` what one step computes, the official recipe:

- D is pix2pixHD's multi-scale PatchGAN judging (map, image) pairs (reused from unit 05),
  trained with the hinge loss; officially (``norm_D="spectralinstance"``) with spectral norm on
  its three instance-normed convolutions, whose biases are dropped; the course's model keeps
  unit 05's biases and puts spectral norm on all five convolutions (``spectral_d=True``);
- G is the SPADE generator plus the style encoder (one network, one optimizer): the encoder
  turns the real image into (mu, logvar), z is sampled with the reparameterisation trick, and
  G's loss is ``hinge + lambda_feat * feature matching + lambda_kld * KL``;
- as in unit 05's task, G runs once per step: the fake made for D's update (detached there)
  is reused, with its graph, for G's update (G's weights have not changed in between);
- two time-scale update rule (TTUR, Heusel et al. 2017): D learns 4x faster than G
  (``TrainConfig(lr_g=1e-4, lr_d=4e-4, betas=(0.0, 0.999))``, see :func:`spade_train_config`).

The official code's VGG perceptual loss (weight 10) needs ImageNet weights, which the course
does not download. ``lambda_perceptual`` adds the stand-in unit 05's task uses, a distance in
the course CLIP's image tower (``models.clip.ClipPerceptual``); off by default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.losses.feature_matching import feature_matching_loss
from course_lib.losses.hinge import hinge_d_multiscale, hinge_g_multiscale
from course_lib.losses.kl import LAMBDA_KLD, kl_divergence
from course_lib.models.label_maps import one_hot_maps
from course_lib.models.pix2pixhd.discriminator import NORMS_D
from course_lib.models.weights_file import jsonable
from course_lib.training.gan_trainer import TrainConfig
from course_lib.training.translation import judge_pairs, perceptual_distance


@dataclass
class SPADELossConfig:
    """Weights of SPADE's generator loss and its discriminator (official defaults).

    ``n_layers_D`` counts as the official code does: the convolutions before the last one, the
    last of them with stride 1; 4 gives the 70x70 PatchGAN, pix2pixHD's ``n_layers_d=3``.
    """

    lambda_feat: float = 10.0
    lambda_kld: float = LAMBDA_KLD
    use_encoder: bool = True  # train the VAE style encoder (official --use_vae)
    norm_D: str = "spectralinstance"  # official: spectral norm + instance norm, no bias there
    spectral_d: bool = False  # the course's D: spectral norm on every convolution, biases kept
    ndf: int = 64
    n_layers_D: int = 4
    num_d: int = 2
    lambda_perceptual: float = 0.0  # CLIP-image-tower stand-in for the paper's VGG loss (10)

    def __post_init__(self) -> None:
        if self.norm_D not in NORMS_D:
            raise ValueError(f"norm_D must be one of {NORMS_D}, got {self.norm_D!r}")
        if self.n_layers_D < 2:
            raise ValueError(f"n_layers_D must be at least 2 (official default 4), "
                             f"got {self.n_layers_D}")
        if self.spectral_d and self.norm_D == "spectralinstance":
            raise ValueError("spectral_d=True puts spectral norm on every convolution: use it "
                             "with norm_D='instance', not 'spectralinstance'")

    @classmethod
    def course(cls, **changes) -> SPADELossConfig:
        """CPU size: the same discriminator as unit 05's course model (ndf 16, 70x70 patches, 3
        scales) plus spectral norm on all its convolutions, so that the comparison of the two
        units changes the generator and the loss only."""
        base = dict(ndf=16, n_layers_D=4, num_d=3, norm_D="instance", spectral_d=True)
        return cls(**{**base, **changes})


#: SPADE's two time-scale update rule (TTUR) as ``TrainConfig`` fields: Adam(beta1=0,
#: beta2=0.999), lr 1e-4 for G, 4e-4 for D (the paper's numbers; the official code's default
#: beta2 is 0.9). ``course train pix2pixhd --ttur`` trains unit 05's model with it too.
TTUR: dict[str, Any] = dict(lr_g=1e-4, lr_d=4e-4, betas=(0.0, 0.999))


def spade_train_config(**changes: Any) -> TrainConfig:
    """``TrainConfig`` with SPADE's optimiser (``TTUR``), then ``changes``."""
    return TrainConfig(**{**TTUR, **changes})


def add_spectral_norm(module: nn.Module) -> nn.Module:
    """Put spectral normalisation on every convolution of ``module`` (in place)."""
    for name, child in list(module.named_children()):
        if isinstance(child, nn.Conv2d):
            setattr(module, name, nn.utils.parametrizations.spectral_norm(child))
        else:
            add_spectral_norm(child)
    return module


def _mean_score(outputs: list[list[torch.Tensor]]) -> torch.Tensor:
    return torch.stack([scale[-1].detach().float().mean() for scale in outputs]).mean()


class SPADETask:
    """One SPADE step for ``GANTrainer``; batches are (images in [-1, 1], index maps)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 loss: SPADELossConfig | None = None,
                 preview_labels: torch.Tensor | None = None, num_classes: int = NUM_CLASSES,
                 meta: dict[str, Any] | None = None, perceptual: nn.Module | None = None):
        self.networks = {"generator": generator, "discriminator": discriminator}
        self.loss = loss or SPADELossConfig()
        if self.loss.lambda_perceptual and perceptual is None:
            raise ValueError("lambda_perceptual > 0 needs a perceptual network (ClipPerceptual)")
        self.perceptual = perceptual
        self.preview_labels = preview_labels
        self.num_classes = num_classes
        self._meta = meta or {}
        self._preview_z: torch.Tensor | None = None
        self._cache: tuple[torch.Tensor, tuple] | None = None

    def _fake(self, nets, maps, images):
        style = images if self.loss.use_encoder else None
        return nets["generator"](maps, style)

    def _judge(self, nets, maps, fake, real):
        """D on fake and real pairs in one batch (as the official code), split back."""
        return judge_pairs(nets["discriminator"], maps, fake, real)

    def d_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        images, labels = batch[0], batch[1]
        maps = one_hot_maps(labels, self.num_classes).to(images.dtype)
        generated = self._fake(nets, maps, images)
        self._cache = (labels, generated)  # G's step reuses this forward pass
        fake_out, real_out = self._judge(nets, maps, generated[0].detach(), images)
        return {"loss": hinge_d_multiscale(real_out, fake_out),
                "D(x)": _mean_score(real_out), "D(G(s,z))": _mean_score(fake_out)}

    def g_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        images, labels = batch[0], batch[1]
        maps = one_hot_maps(labels, self.num_classes).to(images.dtype)
        if self._cache is not None and self._cache[0] is labels:
            fake, mu, logvar = self._cache[1]
        else:
            fake, mu, logvar = self._fake(nets, maps, images)
        self._cache = None
        fake_out, real_out = self._judge(nets, maps, fake, images)
        gan = hinge_g_multiscale(fake_out)
        fm = feature_matching_loss(real_out, fake_out)
        out = {"gan_loss": gan, "fm_loss": fm}
        loss = gan + self.loss.lambda_feat * fm
        if mu is not None:
            kld = kl_divergence(mu, logvar)
            out["kld_loss"] = kld
            loss = loss + self.loss.lambda_kld * kld
        if self.loss.lambda_perceptual:
            out["perceptual_loss"] = perceptual_distance(self.perceptual, fake, images)
            loss = loss + self.loss.lambda_perceptual * out["perceptual_loss"]
        return {"loss": loss, **out}

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """The first ``n`` preview maps (one-hot); their noise vectors are fixed here too."""
        if self.preview_labels is None:
            raise ValueError("give SPADETask preview_labels to draw sample grids")
        g = self.networks["generator"]
        z_dim = g.config.z_dim
        maps = one_hot_maps(self.preview_labels[:n], self.num_classes)
        self._preview_z = torch.randn(len(maps), z_dim, generator=generator)
        return maps

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor:
        z = self._preview_z
        if z is None or len(z) != len(inputs):
            z = torch.randn(len(inputs), nets["generator"].config.z_dim)
        return nets["generator"](inputs, z=z.to(inputs.device))[0]

    def meta(self) -> dict[str, Any]:
        name = "hinge+feature_matching+kl" + ("+clip_perceptual" if self.loss.lambda_perceptual
                                               else "")
        return {"loss": name, "losses": asdict(self.loss), **self._meta}


def build_spade_discriminator(label_nc: int, loss: SPADELossConfig) -> nn.Module:
    """The multi-scale D that ``loss`` describes, judging ``label_nc`` map channels + 3.

    The one place where the official ``n_layers_D`` becomes the PatchGAN's count of stride-2
    layers (``n_layers_D - 1``: the official code's last normed layer has stride 1).
    """
    from course_lib.models.pix2pixhd.discriminator import MultiscaleDiscriminator

    discriminator = MultiscaleDiscriminator(label_nc + 3, loss.ndf, loss.n_layers_D - 1,
                                            loss.num_d, loss.norm_D)
    return add_spectral_norm(discriminator) if loss.spectral_d else discriminator


def build_spade_task(config=None, loss: SPADELossConfig | None = None,
                     preview_labels: torch.Tensor | None = None) -> SPADETask:
    """A fresh SPADE (``SPADEConfig.course()`` by default) with its discriminator, as a task."""
    from course_lib.models.clip import ClipPerceptual
    from course_lib.models.spade import SPADEConfig, StyledSPADE

    config = config or SPADEConfig.course()
    loss = loss or SPADELossConfig.course()
    generator = StyledSPADE(config, use_encoder=loss.use_encoder)
    discriminator = build_spade_discriminator(config.label_nc, loss)
    return SPADETask(generator, discriminator, loss, preview_labels, config.label_nc,
                     meta={"arch": "spade", "config": jsonable(asdict(config))},
                     perceptual=ClipPerceptual() if loss.lambda_perceptual else None)
