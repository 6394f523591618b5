"""VQ-GAN: encoder -> vector quantiser -> decoder, the image tokenizer of unit 07.

``VQGAN.encode_indices`` turns images into token grids (what the transformer is trained on),
``VQGAN.decode_indices`` turns token grids back into images (what generation ends with).
Its sizes are a ``VQGANConfig`` (``config``: ruDALL-E's by default, ``.course()`` for the
small CPU model trained here, ``.imagenet()`` for taming-transformers' ImageNet model).
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.models.vqgan.config import VQGANConfig
from course_lib.models.vqgan.encoder_decoder import (
    Decoder,
    Encoder,
    TamingDecoder,
    TamingEncoder,
)
from course_lib.models.vqgan.quantizer import QuantizerOutput, VectorQuantizer
from course_lib.models.weights_file import ModelFiles

CHECKPOINT_NAME = "landscapes_vqgan"


class VQGAN(nn.Module):
    """``forward(images)`` -> ``(reconstruction, QuantizerOutput)``; images in [-1, 1]."""

    def __init__(self, config: VQGANConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or VQGANConfig()
        encoder, decoder = ((TamingEncoder, TamingDecoder) if c.layout == "taming"
                            else (Encoder, Decoder))
        self.encoder: nn.Module = encoder(c)
        self.quant_conv = nn.Conv2d(c.z_channels, c.embed_dim, 1)
        self.quantizer = VectorQuantizer(c.n_codes, c.embed_dim, c.beta, ema=c.ema,
                                         restart_dead=c.restart_dead)
        self.post_quant_conv = nn.Conv2d(c.embed_dim, c.z_channels, 1)
        self.decoder: nn.Module = decoder(c)

    @property
    def last_layer(self) -> torch.Tensor:
        """The decoder's last weight, where the adaptive GAN weight compares gradients."""
        return self.decoder.conv_out.weight

    def encode(self, images: torch.Tensor) -> QuantizerOutput:
        return self.quantizer(self.quant_conv(self.encoder(images)))

    def decode(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(z_q))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, QuantizerOutput]:
        quant = self.encode(images)
        return self.decode(quant.z_q), quant

    @torch.no_grad()
    def encode_indices(self, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Images (N, 3, H, W) in [-1, 1] -> token ids (N, H/f, W/f), in batches."""
        device = next(self.parameters()).device
        return torch.cat([self.encode(images[i:i + batch_size].to(device)).indices.cpu()
                          for i in range(0, len(images), batch_size)])

    @torch.no_grad()
    def decode_indices(self, indices: torch.Tensor) -> torch.Tensor:
        """Token ids (N, h, w) -> images (N, 3, f*h, f*w), clamped to [-1, 1]."""
        device = next(self.parameters()).device
        z_q = self.quantizer.lookup(indices.to(device).long())
        return self.decode(z_q).clamp(-1, 1)


FILES = ModelFiles(VQGAN, VQGANConfig, CHECKPOINT_NAME, "VQ-GAN", "course train vqgan")
save_vqgan = FILES.save  # fp16 weights + sidecar
load_vqgan = FILES.load  # default: the shipped Landscapes VQ-GAN, eval mode, float32
checkpoint_info = FILES.info  # the sidecar: command, seed, date, measured quality
