"""How well an image tokenizer reconstructs, and how much of its codebook it uses.

- PSNR = 10 log10(range^2 / MSE) per image, averaged over images (in dB; images in [-1, 1]
  have range 2). +6 dB means a quarter of the squared error.
- Codebook usage over many images: the perplexity ``exp(entropy)`` of the token histogram
  (an "effective number of codes"), the share of codes used at least once, and the dead codes.
"""

from __future__ import annotations

import torch


def psnr(images: torch.Tensor, targets: torch.Tensor, data_range: float = 2.0) -> torch.Tensor:
    """PSNR in dB of each image (N,) against its target; ``data_range`` 2 for [-1, 1] images."""
    mse = (images.float() - targets.float()).pow(2).flatten(1).mean(1)
    return 10.0 * torch.log10(data_range**2 / mse.clamp(min=1e-10))


def codebook_usage(indices: torch.Tensor, n_codes: int) -> dict[str, float]:
    """Perplexity, share of codes used and number of dead codes over all ``indices``."""
    counts = torch.bincount(indices.reshape(-1).long(), minlength=n_codes).double()
    p = counts / counts.sum().clamp(min=1)
    entropy = -(p * torch.log(p.clamp(min=1e-12))).sum()
    used = int((counts > 0).sum())
    return {"perplexity": float(entropy.exp()), "used_share": used / n_codes,
            "dead_codes": n_codes - used, "tokens": int(counts.sum())}
