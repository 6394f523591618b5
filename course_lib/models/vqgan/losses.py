"""The VQ-GAN training losses: L1 + perceptual + hinge PatchGAN with the adaptive weight.

- **Perceptual distance** (``course_lib.losses.perceptual``, LPIPS-like). VGG weights cannot
  be downloaded here, so the features come from the Landscapes segmenter's encoder (four
  resolutions). It still rewards getting edges and textures right where L1 alone blurs them.
- **PatchGAN** (Isola et al., 2017): a discriminator whose output is a grid of scores, each
  judging one overlapping patch, trained with the hinge loss of Lim & Ye (2017), SPADE's
  (``course_lib.losses.hinge``). It is taming's PatchGAN (batch norm, padding 1), not unit
  05's (instance norm, padding 2, every layer's features): the two stay separate networks.
- **Adaptive weight** (Esser et al., 2021, eq. 7): the GAN term is scaled by
  ``lambda = ||grad_L(L_rec)|| / (||grad_L(L_GAN)|| + 1e-4)``, both gradients taken at the
  decoder's last layer L, so neither loss drowns the other whatever their raw scales.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.losses.hinge import d_loss_hinge, g_loss_hinge
from course_lib.losses.perceptual import feature_distance


def hinge_d_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """D's hinge loss (:func:`course_lib.losses.hinge.d_loss_hinge`), halved as in taming."""
    return 0.5 * d_loss_hinge(real_scores, fake_scores)


#: G's loss against a hinge D, ``-mean(D(x_hat))``: SPADE's (unit 06).
hinge_g_loss = g_loss_hinge


def adaptive_weight(rec_loss: torch.Tensor, gan_loss: torch.Tensor, last_layer: torch.Tensor,
                    max_weight: float = 1e4) -> torch.Tensor:
    """``||dL_rec/dW|| / (||dL_gan/dW|| + 1e-4)`` at the last layer W, clamped, no gradient."""
    rec_grad = torch.autograd.grad(rec_loss, last_layer, retain_graph=True)[0]
    gan_grad = torch.autograd.grad(gan_loss, last_layer, retain_graph=True)[0]
    weight = rec_grad.norm() / (gan_grad.norm() + 1e-4)
    return weight.clamp(0.0, max_weight).detach()


class PatchDiscriminator(nn.Module):
    """PatchGAN: ``n_layers`` stride-2 4x4 convolutions, one stride-1, then a 1-channel map."""

    def __init__(self, channels: int = 64, n_layers: int = 3, in_channels: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels, channels, 4, 2, 1),
                                   nn.LeakyReLU(0.2, True)]
        width = channels
        for k in range(1, n_layers + 1):
            out = channels * min(2**k, 8)
            layers += [nn.Conv2d(width, out, 4, 2 if k < n_layers else 1, 1, bias=False),
                       nn.BatchNorm2d(out), nn.LeakyReLU(0.2, True)]
            width = out
        layers.append(nn.Conv2d(width, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class SegmenterPerceptual(nn.Module):
    """LPIPS-like distance on the frozen Landscapes segmenter's encoder features."""

    def __init__(self, segmenter: nn.Module | None = None) -> None:
        super().__init__()
        if segmenter is None:
            from course_lib.models.segmenter import load_segmenter

            segmenter = load_segmenter()
        self.segmenter = segmenter.eval().requires_grad_(False)

    def train(self, mode: bool = True) -> SegmenterPerceptual:
        return super().train(False)  # the segmenter's batch norm stays in eval mode

    def forward(self, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """``losses.perceptual.feature_distance`` at the segmenter encoder's four levels."""
        return feature_distance(self.segmenter._encode(torch.cat([images, targets])))
