"""The step of an unconditional GAN (units 03 and 04): noise in, image out, D judges.

``GANTask`` tells ``GANTrainer`` what one discriminator step and one generator step compute;
``build_gan_task`` makes one from names (``mlp``/``dcgan``, ``minimax``/``nonsaturating``/
``lsgan``). Loading, exporting and sampling trained generators is
``course_lib.models.fashion_gan``'s job, scoring them ``course_lib.metrics.generator_scores``'.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import torch
from torch import nn

from course_lib.losses.gan import GANLoss, gan_loss
from course_lib.models.fashion_gan import build_gan
from course_lib.models.weights_file import jsonable


def _images(batch: Any) -> torch.Tensor:
    """The images of a batch: the batch itself, or the first item of an (images, labels) pair."""
    return batch[0] if isinstance(batch, (tuple, list)) else batch


class GANTask:
    """D learns to tell real images from G's; G learns to make D call its images real."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 loss: GANLoss | str = "nonsaturating", latent_dim: int | None = None,
                 meta: dict[str, Any] | None = None):
        self.networks = {"generator": generator, "discriminator": discriminator}
        self.loss = gan_loss(loss) if isinstance(loss, str) else loss
        self.latent_dim = latent_dim or generator.config.latent_dim
        self._meta = meta or {}

    def noise(self, n: int, device: torch.device | str = "cpu",
              generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ N(0, I), shape (n, latent_dim)."""
        return torch.randn(n, self.latent_dim, device=device, generator=generator)

    def d_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        """D's loss on a real batch and as many fakes; G runs without gradients here."""
        real = _images(batch)
        with torch.no_grad():
            fake = nets["generator"](self.noise(len(real), real.device))
        real_scores = nets["discriminator"](real)
        fake_scores = nets["discriminator"](fake)
        return {
            "loss": self.loss.d(real_scores, fake_scores),
            "D(x)": self.loss.score(real_scores.detach().float()).mean(),
            "D(G(z))": self.loss.score(fake_scores.detach().float()).mean(),
        }

    def g_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        """G's loss: fresh fakes go through D; the gradient reaches G through D."""
        real = _images(batch)
        fake_scores = nets["discriminator"](nets["generator"](self.noise(len(real), real.device)))
        return {"loss": self.loss.g(fake_scores)}

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return self.noise(n, generator=generator)

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor:
        return nets["generator"](inputs)

    def meta(self) -> dict[str, Any]:
        return {"loss": self.loss.name, **self._meta}


def build_gan_task(arch: str = "dcgan", loss: str = "nonsaturating", **config: Any) -> GANTask:
    """``build_gan`` plus the loss, with the architecture recorded for checkpoints."""
    generator, discriminator = build_gan(arch, **config)
    meta = {"arch": arch, "config": jsonable(asdict(generator.config))}
    return GANTask(generator, discriminator, loss, meta=meta)
