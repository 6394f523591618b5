"""Paired image-to-image translation (pix2pixHD, unit 05): label map in, photo out.

``TranslationTask`` tells the shared ``GANTrainer`` what one step computes. Both networks see
the map: G turns the one-hot map into an image, D judges the *pair* (map, image), the map
concatenated with the image along the channels, so "a good sky where the map says water"
counts as fake. As in the official code, G runs once per step: the fake made for D's update
(detached there) is reused, with its graph, for G's update, and D judges three image batches
per step: the fake and the real pair for D's loss (one forward pass on both,
:func:`judge_pairs`; instance norm treats every sample alone, so the scores equal two passes),
then the fake pair for G's loss, whose feature-matching target is D's view of the real pair
from D's step, detached. The shared trainer updates D between the two steps, so that target
comes from D before its update (as in the official code, which computes all losses with one
D) while G's adversarial term sees D after it. ``reuse_real_features=False`` is the recipe the
shipped pix2pixHD checkpoints were trained with: a fourth pass, D after its update on the real
pair under ``no_grad``; the other losses are the same.

The data are ``course_lib.data.landscapes.pairs.LandscapePairs``; the scores
``course_lib.metrics.translation.evaluate_translation``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import torch
from torch import nn

from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.losses.pix2pixhd import multiscale_d_loss, pix2pixhd_g_loss
from course_lib.models.label_maps import one_hot_maps


def judge_pairs(discriminator: nn.Module, maps: torch.Tensor, fake: torch.Tensor,
                real: torch.Tensor) -> tuple[list[list[torch.Tensor]], list[list[torch.Tensor]]]:
    """D's outputs on the (map, fake) and the (map, real) pairs, from one forward pass on both.

    Equal to two passes for a D without batch statistics (instance norm, as in pix2pixHD and
    SPADE): every tensor of every scale is split back into its fake and real halves.
    """
    pairs = torch.cat([torch.cat([maps, fake], 1), torch.cat([maps, real], 1)])
    outputs = discriminator(pairs)
    fake_out = [[t[: len(fake)] for t in scale] for scale in outputs]
    real_out = [[t[len(fake):] for t in scale] for scale in outputs]
    return fake_out, real_out


def perceptual_distance(perceptual: nn.Module, fake: torch.Tensor,
                        real: torch.Tensor) -> torch.Tensor:
    """The perceptual term of both translation tasks: ``perceptual``'s distance of the fake to
    the real photo, in fp32 on the fake's device (the frozen CLIP tower follows the batch)."""
    return perceptual.to(fake.device)(fake.float(), real.float())


class TranslationTask:
    """pix2pixHD's step: D learns real vs fake (map, image) pairs; G learns to fool all scales,
    to match D's inner features of the real pair (weight ``lambda_feat``) and, if
    ``lambda_l1 > 0``, to reproduce the real photo pixel by pixel (pix2pix's L1 term) and, if
    ``lambda_perceptual > 0``, to come close to it in ``perceptual``'s features (the CLIP
    stand-in for the paper's VGG loss).

    ``reuse_real_features`` (default) takes G's feature-matching target from D's step: three D
    passes per step, as the official code. ``False``: D after its update judges the real pair
    once more (four passes), the recipe of the shipped checkpoint; only the feature-matching
    values differ, by D's one update.
    """

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 preview_labels: torch.Tensor | None = None, lambda_feat: float = 10.0,
                 lambda_l1: float = 0.0, num_classes: int = NUM_CLASSES,
                 meta: dict[str, Any] | None = None, reuse_real_features: bool = True,
                 perceptual: nn.Module | None = None, lambda_perceptual: float = 0.0):
        self.reuse_real_features = reuse_real_features
        self.perceptual, self.lambda_perceptual = perceptual, lambda_perceptual
        self._real_features: tuple[torch.Tensor, list[list[torch.Tensor]]] | None = None
        self.networks = {"generator": generator, "discriminator": discriminator}
        self.preview_labels = preview_labels
        self.lambda_feat = lambda_feat
        self.lambda_l1 = lambda_l1
        self.num_classes = num_classes
        self._meta = meta or {}
        self._cache: tuple[torch.Tensor, torch.Tensor] | None = None
        # With the feature encoder E (``EncodedGenerator``), G also reads the real photo.
        self.encoded = hasattr(generator, "encoder")

    def _generate(self, nets: dict[str, nn.Module], maps: torch.Tensor,
                  images: torch.Tensor) -> torch.Tensor:
        return nets["generator"](maps, images) if self.encoded else nets["generator"](maps)

    def d_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        images, labels = batch[0], batch[1]
        maps = one_hot_maps(labels, self.num_classes).to(images.dtype)
        fake = self._generate(nets, maps, images)
        self._cache = (labels, fake)  # G's step reuses this forward pass
        fake_out, real_out = judge_pairs(nets["discriminator"], maps, fake.detach(), images)
        if self.reuse_real_features:
            self._real_features = (labels, [[t.detach() for t in sc] for sc in real_out])
        return {"loss": multiscale_d_loss(real_out, fake_out),
                "D(x)": torch.stack([o[-1].detach().float().mean() for o in real_out]).mean(),
                "D(G(s))": torch.stack([o[-1].detach().float().mean() for o in fake_out]).mean()}

    def g_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        images, labels = batch[0], batch[1]
        maps = one_hot_maps(labels, self.num_classes).to(images.dtype)
        if self._cache is not None and self._cache[0] is labels:
            fake = self._cache[1]
        else:
            fake = self._generate(nets, maps, images)
        self._cache = None
        d = nets["discriminator"]
        cached, self._real_features = self._real_features, None
        if cached is not None and cached[0] is labels:  # D's step judged this very batch
            real_out = cached[1]
        else:
            with torch.no_grad():
                real_out = d(torch.cat([maps, images], 1))
        fake_out = d(torch.cat([maps, fake], 1))
        losses = pix2pixhd_g_loss(real_out, fake_out, self.lambda_feat)
        if self.lambda_l1:
            losses["g_l1"] = (fake.float() - images.float()).abs().mean()
            losses["loss"] = losses["loss"] + self.lambda_l1 * losses["g_l1"]
        if self.lambda_perceptual:
            losses["g_perceptual"] = perceptual_distance(self.perceptual, fake, images)
            losses["loss"] = losses["loss"] + self.lambda_perceptual * losses["g_perceptual"]
        return losses

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """One-hot versions of the first ``n`` preview maps (none without ``preview_labels``:
        then train with ``sample_every=0``)."""
        if self.preview_labels is None:
            return torch.zeros(0, self.num_classes, 1, 1)
        return one_hot_maps(self.preview_labels[:n], self.num_classes)

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor:
        return nets["generator"](inputs)

    def meta(self) -> dict[str, Any]:
        return {"loss": "lsgan+feature_matching" + ("+l1" if self.lambda_l1 else "")
                + ("+clip_perceptual" if self.lambda_perceptual else ""),
                "lambda_feat": self.lambda_feat, "lambda_l1": self.lambda_l1,
                **({"lambda_perceptual": self.lambda_perceptual} if self.lambda_perceptual
                   else {}),
                "feature_target": "d_step" if self.reuse_real_features else "g_step",
                **self._meta}


def build_pix2pixhd_task(config=None, preview_labels: torch.Tensor | None = None,
                         reuse_real_features: bool = True) -> TranslationTask:
    """A fresh pix2pixHD (``Pix2PixHDConfig.course()`` by default) wrapped in its task
    (``reuse_real_features``: see :class:`TranslationTask`)."""
    from course_lib.models.clip import ClipPerceptual
    from course_lib.models.pix2pixhd import MultiscaleDiscriminator, Pix2PixHDConfig
    from course_lib.models.pix2pixhd.build import build_generator

    config = config or Pix2PixHDConfig.course()
    generator = build_generator(config)
    discriminator = MultiscaleDiscriminator(config.discriminator_in_channels, config.ndf,
                                            config.n_layers_d, config.num_d)
    return TranslationTask(generator, discriminator, preview_labels, config.lambda_feat,
                           config.lambda_l1, config.label_channels,
                           meta={"arch": "pix2pixhd", "config": asdict(config)},
                           reuse_real_features=reuse_real_features,
                           perceptual=ClipPerceptual() if config.lambda_perceptual else None,
                           lambda_perceptual=config.lambda_perceptual)
