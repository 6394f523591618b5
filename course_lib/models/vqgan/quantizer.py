"""Vector quantiser: snap every encoder vector to its nearest codebook entry (VQ-VAE, VQ-GAN).

The encoder turns an image into a grid of vectors z_e (N, D, h, w). Each vector is replaced
by the nearest of K learned code vectors e_k; the index k is the image *token* that the
transformer later predicts. Three things make this trainable:

- **Straight-through estimator.** ``argmin`` has no gradient, so the forward pass uses the
  code ``z_q`` while the backward pass copies the decoder's gradient onto ``z_e`` unchanged:
  ``z_q_st = z_e + (z_q - z_e).detach()`` equals ``z_q`` in value and ``z_e`` in gradient.
- **Codebook and commitment losses** (van den Oord et al., 2017, eq. 3):
  ``||sg[z_e] - e||^2`` pulls the codes towards the encoder outputs, and
  ``beta * ||z_e - sg[e]||^2`` (beta = 0.25) keeps the encoder committed to its codes.
  (The taming-transformers code puts beta on the other term; we follow the paper.)
- **EMA codebook** (optional, paper's appendix A.1): instead of a codebook loss, each code
  becomes the exponential moving average of the encoder vectors assigned to it.
  **Dead-code restart** (optional): a code that has not been picked for a while is moved onto
  a random encoder vector of the current batch, so the whole codebook stays in use.

Codebook usage is summarised by the *perplexity* ``exp(entropy of the code histogram)``: K if
all codes are used equally often, 1 if a single code wins everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class QuantizerOutput:
    """What the quantiser returns: the straight-through codes, indices, loss and usage stats."""

    z_q: torch.Tensor  # (N, D, h, w): codes in value, encoder output in gradient
    indices: torch.Tensor  # (N, h, w) int64 token ids
    loss: torch.Tensor  # codebook + beta * commitment (commitment only with EMA)
    commitment: torch.Tensor  # ||z_e - sg[e]||^2, without beta
    perplexity: torch.Tensor  # exp(entropy) of this batch's code histogram


def perplexity(indices: torch.Tensor, n_codes: int) -> torch.Tensor:
    """``exp(-sum p log p)`` of the histogram of ``indices`` over ``n_codes`` codes."""
    counts = torch.bincount(indices.reshape(-1), minlength=n_codes).float()
    p = counts / counts.sum().clamp(min=1)
    return torch.exp(-(p * torch.log(p.clamp(min=1e-10))).sum())


def vq_loss(z: torch.Tensor, z_q: torch.Tensor, beta: float = 0.25) -> torch.Tensor:
    """The VQ loss of van den Oord et al. (2017, eq. 3): ``||sg[z] - z_q||^2`` moves the codes
    towards the encoder outputs, ``beta * ||z - sg[z_q]||^2`` keeps the encoder committed to
    its codes (means over all elements; ``z_q`` is the codebook rows picked for ``z``)."""
    return F.mse_loss(z_q, z.detach()) + beta * F.mse_loss(z, z_q.detach())


class VectorQuantizer(nn.Module):
    """Nearest-neighbour quantiser with K = ``n_codes`` codes of dimension ``dim``.

    ``ema=True`` updates the codes by moving averages (``decay``) instead of gradients;
    ``restart_dead=True`` moves codes whose running use falls below ``dead_threshold`` (an
    exponential average, with ``decay``, of how many vectors picked the code per step) onto
    random encoder outputs. Both happen only in training mode. Codes start unused, so the first
    training step with restarts places every code on an encoder output (a data-dependent
    initialisation).
    """

    def __init__(self, n_codes: int, dim: int, beta: float = 0.25, ema: bool = False,
                 decay: float = 0.99, restart_dead: bool = False, dead_threshold: float = 0.03,
                 eps: float = 1e-5) -> None:
        super().__init__()
        self.n_codes, self.dim, self.beta = n_codes, dim, beta
        self.ema, self.decay, self.eps = ema, decay, eps
        self.restart_dead, self.dead_threshold = restart_dead, dead_threshold
        self.codebook = nn.Embedding(n_codes, dim)
        nn.init.uniform_(self.codebook.weight, -1.0 / n_codes, 1.0 / n_codes)
        self.register_buffer("usage", torch.zeros(n_codes))
        if ema:
            self.codebook.weight.requires_grad_(False)
            self.register_buffer("cluster_size", torch.zeros(n_codes))
            self.register_buffer("embed_sum", self.codebook.weight.detach().clone())

    def nearest(self, flat: torch.Tensor) -> torch.Tensor:
        """Index of the nearest code for each row of ``flat`` (M, D), by squared distance."""
        codes = self.codebook.weight
        distance = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ codes.t()
                    + codes.pow(2).sum(1)[None, :])
        return distance.argmin(1)

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        """Token ids (N, h, w) -> code vectors (N, D, h, w)."""
        return self.codebook(indices).permute(0, 3, 1, 2).contiguous()

    def forward(self, z: torch.Tensor) -> QuantizerOutput:
        n, d, h, w = z.shape
        if d != self.dim:
            raise ValueError(f"expected {self.dim} channels, got {d}")
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        indices = self.nearest(flat.detach().float())
        if self.training:
            self._update(flat.detach().float(), indices)
            indices = self.nearest(flat.detach().float()) if self.restart_dead else indices
        z_q = self.lookup(indices.view(n, h, w)).to(z.dtype)
        commitment = F.mse_loss(z, z_q.detach())
        # With EMA the codes follow their vectors by averaging, so only the commitment is left.
        loss = self.beta * commitment if self.ema else vq_loss(z, z_q, self.beta)
        return QuantizerOutput(z + (z_q - z).detach(), indices.view(n, h, w), loss,
                               commitment.detach(), perplexity(indices, self.n_codes))

    @torch.no_grad()
    def _update(self, flat: torch.Tensor, indices: torch.Tensor) -> None:
        counts = torch.bincount(indices, minlength=self.n_codes).float()
        self.usage.mul_(self.decay).add_(counts, alpha=1 - self.decay)
        if self.ema:
            onehot_sum = torch.zeros_like(self.embed_sum).index_add_(0, indices, flat)
            self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.embed_sum.mul_(self.decay).add_(onehot_sum, alpha=1 - self.decay)
            total = self.cluster_size.sum()
            smoothed = (self.cluster_size + self.eps) / (total + self.n_codes * self.eps) * total
            self.codebook.weight.copy_(self.embed_sum / smoothed.clamp(min=self.eps)[:, None])
        if self.restart_dead:
            self.restart(flat)

    @torch.no_grad()
    def restart(self, flat: torch.Tensor) -> int:
        """Move every dead code onto a random row of ``flat``; returns how many moved."""
        dead = (self.usage < self.dead_threshold).nonzero().flatten()
        if len(dead) == 0:
            return 0
        pick = torch.randint(len(flat), (len(dead),), device=flat.device)
        new = flat[pick] + 1e-3 * flat.std() * torch.randn_like(flat[pick])
        self.codebook.weight[dead] = new.to(self.codebook.weight.dtype)
        self.usage[dead] = 2 * self.dead_threshold  # a grace period (~70 steps at 0.99)
        if self.ema:
            self.cluster_size[dead] = 1.0
            self.embed_sum[dead] = new
        return len(dead)
