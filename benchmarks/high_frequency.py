"""High-frequency spectral energy of every shipped image model, relative to real images.

``course_lib.metrics.high_frequency_ratios``: the share of non-DC spectral energy in the top
frequency band (r >= 0.75 Nyquist) of generated images over that of real ones, for luminance
and (colour images) the opponent-colour channels; 1 is as smooth as the data, above 1 is
checkerboard or colour noise. The headline ratio is the larger of the two. Fixed seeds:

- Fashion-MNIST generators (``mlp_gan``, ``mlp_gan_healthy``, ``lsgan_dcgan``, ``gan_dcgan``,
  or any generator file given with ``--generator NAME=PATH``): 2,000 samples (noise seed
  1234) vs the first 2,000 test images;
- pix2pixHD and SPADE: the first 500 test maps at 64 px (looks / z from seed 0) vs the real
  renders of the same maps;
- the VQ-GAN: reconstructions of the first 500 test renders vs the renders.

    OMP_NUM_THREADS=1 python benchmarks/high_frequency.py [--write]
    OMP_NUM_THREADS=1 python benchmarks/high_frequency.py --only-generators \
        --landscapes spade-s0=runs/spade-s0/spade_landscapes64.safetensors
"""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

import torch

RESULTS = Path(__file__).with_name("RESULTS.md")


def fashion(generator, n: int = 2000) -> dict[str, float]:
    """Ratios per component for a Fashion-MNIST generator."""
    from course_lib.data.fashion_mnist import load_fashion_mnist
    from course_lib.metrics import high_frequency_ratios

    (_, _), (x_test, _) = load_fashion_mnist()
    from course_lib.models.fashion_gan import sample

    return high_frequency_ratios(sample(generator.eval(), n, seed=1234), x_test[:n])


def landscapes(name: str, n: int = 500, path: str | None = None) -> dict[str, float]:
    """Ratios per component for a Landscapes model (shipped, or the file / run folder ``path``;
    its kind from ``name``: pix2pixhd..., spade..., else the VQ-GAN) on the first n test maps."""
    from course_lib.data.landscapes.pairs import LandscapePairs
    from course_lib.metrics import high_frequency_ratios
    from course_lib.models.label_maps import generate

    pairs = LandscapePairs("test", n, 64)
    real = pairs.photos()
    with torch.no_grad():
        if name.startswith(("pix2pixhd", "spade")):
            from shipped_pictures import load_label_map_model  # benchmarks/ is on sys.path

            fake = generate(load_label_map_model(name, path), pairs.labels, seed=0)
        else:
            from course_lib.models.vqgan.model import load_vqgan

            vqgan = load_vqgan(path).eval()
            fake = torch.cat([vqgan(real[i:i + 100])[0] for i in range(0, n, 100)])
    return high_frequency_ratios(fake, real)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", action="append", default=[], metavar="NAME=PATH",
                        help="also score this Fashion-MNIST generator file or run folder")
    parser.add_argument("--landscapes", action="append", default=[], metavar="NAME=PATH",
                        help="also score this pix2pixhd* / spade* / vqgan* file or run folder")
    parser.add_argument("--only-generators", action="store_true",
                        help="score only the --generator and --landscapes files")
    parser.add_argument("--write", action="store_true", help="append rows to RESULTS.md")
    args = parser.parse_args()

    from course_lib.models.fashion_gan import generator_from_checkpoint, load_shipped_generator

    rows = {}
    generators = [] if args.only_generators else [
        (name, lambda name=name: load_shipped_generator(name))
        for name in ("mlp_gan", "mlp_gan_healthy", "lsgan_dcgan", "gan_dcgan")]
    for spec in args.generator:
        name, path = spec.split("=", 1)
        generators.append((name, lambda path=path: generator_from_checkpoint(path)))
    for name, load in generators:
        rows[name] = (fashion(load()), "2,000 samples vs 2,000 test images")
    models = [] if args.only_generators else [(n, None) for n in ("pix2pixhd", "spade", "vqgan")]
    models += [tuple(spec.split("=", 1)) for spec in args.landscapes]
    for name, path in models:
        rows[name] = (landscapes(name, path=path), "500 test maps at 64 px vs their renders")
    for name, (ratios, what) in rows.items():
        parts = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
        print(f"{name:14s} ratio {max(ratios.values()):5.2f} ({parts}; {what})")
    if args.write:
        date = datetime.date.today().isoformat()
        command = "OMP_NUM_THREADS=1 python benchmarks/high_frequency.py " + " ".join(
            [f"--generator {g}" for g in args.generator]
            + [f"--landscapes {m}" for m in args.landscapes])
        with RESULTS.open("a") as f:
            for name, (ratios, what) in rows.items():
                parts = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
                f.write(f"| High-frequency energy (share of non-DC spectral energy at r >= 0.75 "
                        f"Nyquist) of {name}, {what}: generated share / real share, the larger "
                        f"component | {max(ratios.values()):.2f} ({parts}) | "
                        f"{command.strip()} | n/a (fixed seeds) | CPU, 2 cores, no GPU | "
                        f"{date} |\n")
        print(f"appended {len(rows)} rows to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
