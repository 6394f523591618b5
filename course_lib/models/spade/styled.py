"""Generator and style encoder as one network, as SPADE trains them (one optimizer for both).

``forward(segmap, images)`` encodes ``images`` into (mu, logvar), samples z with the
reparameterisation trick and generates; ``forward(segmap)`` draws z from N(0, I). The
adversarial trainer optimises everything inside its "generator" network together, which is
exactly the official ``optimizer_G`` over ``netG`` and ``netE``.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.models.spade.config import SPADEConfig
from course_lib.models.spade.encoder import StyleEncoder, reparameterize
from course_lib.models.spade.generator import SPADEGenerator


class StyledSPADE(nn.Module):
    """A :class:`SPADEGenerator` plus a :class:`StyleEncoder` (none if ``use_encoder=False`` or
    the config has ``use_vae=False``: that generator does not read z)."""

    def __init__(self, config: SPADEConfig | None = None, use_encoder: bool = True) -> None:
        super().__init__()
        self.config = config = config or SPADEConfig()
        self.generator = SPADEGenerator(config)
        self.encoder = StyleEncoder(config) if use_encoder and config.use_vae else None

    def forward(self, segmap: torch.Tensor, images: torch.Tensor | None = None,
                z: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """``(fake, mu, logvar)``; mu and logvar are None unless ``images`` were encoded."""
        mu = logvar = None
        if images is not None and self.encoder is not None:
            mu, logvar = self.encoder(images)
            z = reparameterize(mu, logvar)
        return self.generator(segmap, z), mu, logvar

    @torch.no_grad()
    def style_code(self, images: torch.Tensor) -> torch.Tensor:
        """The mean style code (N, z_dim) of ``images``."""
        if self.encoder is None:
            raise ValueError("this model was built without a style encoder")
        return self.encoder.encode(images)
