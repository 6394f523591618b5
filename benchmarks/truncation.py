"""Fidelity against diversity for the shipped DCGANs: the truncation trick (Brock et al., 2019).

Draw z from N(0, I) but redraw every coordinate whose size exceeds ``psi``: samples stay near
the middle of the latent space, where the generator has seen the most noise, and should look
surer and more alike. For each ``psi`` and each generator the same four figures as
``score_generator`` (2,000 samples, noise seed 1234, against the first 2,000 test images):
FashionCNN-FID, classes covered, KL to the uniform class mix and the confident share.
Both losses get the same values of ``psi``, so the comparison between them stays fair.

    OMP_NUM_THREADS=1 python benchmarks/truncation.py [--psi inf 2 1.5 1 0.7 0.5]
"""

from __future__ import annotations

import argparse
import math

import pandas as pd
import torch

from course_lib.metrics.generator_scores import score_samples
from course_lib.models.fashion_gan import load_shipped_generator


def truncated_noise(n: int, dim: int, psi: float, seed: int) -> torch.Tensor:
    """z ~ N(0, I) with every coordinate of size above ``psi`` redrawn until it is not."""
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(n, dim, generator=rng)
    while math.isfinite(psi) and (outside := z.abs() > psi).any():
        z[outside] = torch.randn(int(outside.sum()), generator=rng)
    return z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--psi", type=float, nargs="+", default=[math.inf, 2, 1.5, 1, 0.7, 0.5])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--generators", nargs="+", default=["gan_dcgan", "lsgan_dcgan"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for name in args.generators:
        generator = load_shipped_generator(name).eval()
        for psi in args.psi:
            with torch.no_grad():
                z = truncated_noise(args.n, generator.config.latent_dim, psi, 1234)
                rows.append({"generator": name, "psi": psi, **score_samples(generator(z))})
    print(pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
