"""Pictures of every shipped image model, with fixed seeds, into ``benchmarks/figures/``.

Figures are not enough: these are the pictures a person judges the models by. Each PNG is
made the same way every time (fixed noise, the first test maps), so a retrained model's
pictures can be compared with its predecessor's side by side::

    OMP_NUM_THREADS=1 python benchmarks/shipped_pictures.py [NAME ...]
    OMP_NUM_THREADS=1 python benchmarks/shipped_pictures.py spade-long-s0=runs/spade-long-s0

A ``NAME=PATH`` argument draws a pix2pixhd* / spade* file or run folder that is not shipped
(a candidate) into ``figures/NAME.png``.

Fashion-MNIST generators: 64 samples of noise seed 0, 8 x 8. pix2pixHD and SPADE: the first
8 test maps at 64 px, drawn 2x: the real renders, then the model's pictures (looks / z from
seed 0, then seed 1).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F

FIGURES = Path(__file__).parent / "figures"
FASHION = ("mlp_gan", "mlp_gan_healthy", "lsgan_dcgan", "gan_dcgan")
LANDSCAPES = ("pix2pixhd", "spade")


def fashion_picture(name: str) -> torch.Tensor:
    from course_lib.models.fashion_gan import load_shipped_generator, sample

    return sample(load_shipped_generator(name), 64, seed=0)


def load_label_map_model(name: str, path: str | None = None) -> torch.nn.Module:
    """The shipped pix2pixHD or SPADE (by ``name``'s prefix), or the file / run folder ``path``."""
    from course_lib.models.pix2pixhd import load_pix2pixhd
    from course_lib.models.spade import load_spade

    return (load_pix2pixhd if name.startswith("pix2pixhd") else load_spade)(path)


def landscape_picture(name: str, path: str | None = None) -> torch.Tensor:
    from course_lib.data.landscapes.pairs import LandscapePairs
    from course_lib.models.label_maps import generate

    pairs = LandscapePairs("test", 8, 64)
    model = load_label_map_model(name, path)
    rows = [generate(model, pairs.labels, seed=s) for s in (0, 1)]
    return F.interpolate(torch.cat([pairs.photos(), *rows]), scale_factor=2, mode="nearest")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=[*FASHION, *LANDSCAPES])
    args = parser.parse_args()
    torch.set_num_threads(1)
    from course_lib.training.samples import save_grid

    for spec in args.names:
        name, _, source = spec.partition("=")
        images = (fashion_picture(name) if name in FASHION
                  else landscape_picture(name, source or None))
        print(f"wrote {save_grid(images, FIGURES / f'{name}.png', nrow=8)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
