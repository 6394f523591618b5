"""Unit 04's long DCGAN runs, GAN and LSGAN side by side, epoch by epoch (fixed noise).

Reads the run folders of ``benchmarks/dcgan_long.py`` (their ``generators/epoch-NN`` files
and ``scores.csv``) and draws two figures into ``benchmarks/figures/``:

- ``dcgan_over_training.png``: for each loss one panel, one row per kept epoch, the same
  8 noise vectors (seed 0) in every row, so a row-to-row change is training, not chance;
- ``dcgan_scores.png``: FashionCNN-FID (2,000 samples against the first 2,000 test images)
  and the confident share after every epoch, for both losses::

    python benchmarks/dcgan_over_training.py runs/dcgan_long/nonsaturating-lr0.0002-seed0 \\
        runs/dcgan_long/lsgan-lr0.0002-seed0
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import torch

FIGURES = Path(__file__).parent / "figures"
LABELS = {"nonsaturating": "GAN (non-saturating)", "lsgan": "LSGAN"}


def epoch_rows(run: Path, n: int = 8, seed: int = 0) -> tuple[list[int], torch.Tensor]:
    """(epochs, images): the kept generators of ``run`` on the same ``n`` noise vectors."""
    from safetensors.torch import load_file

    from course_lib.models.dcgan import DCGANConfig, build_dcgan
    from course_lib.models.fashion_gan import sample

    files = sorted((run / "generators").glob("epoch-*.safetensors"))
    generator, _ = build_dcgan(DCGANConfig())
    rows = []
    for file in files:
        generator.load_state_dict(load_file(str(file)))
        rows.append(sample(generator.eval(), n, seed))
    return [int(f.stem.split("-")[1]) for f in files], torch.cat(rows)


def loss_of(run: Path) -> str:
    return "lsgan" if run.name.startswith("lsgan") else "nonsaturating"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="run folders of dcgan_long.py")
    parser.add_argument("--every", type=int, default=1, help="show every k-th epoch")
    args = parser.parse_args()
    torch.set_num_threads(1)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.training.samples import image_grid

    kept = {run: epoch_rows(run) for run in args.runs}
    rows = max(len(epochs) for epochs, _ in kept.values()) // args.every + 1
    fig, axes = plt.subplots(1, len(args.runs), figsize=(4.2 * len(args.runs), 0.55 * rows + 0.9),
                             squeeze=False)
    for ax, run in zip(axes[0], args.runs, strict=True):
        epochs, images = kept[run]
        keep = [i for i, e in enumerate(epochs) if e % args.every == 0 or e == epochs[-1]]
        picked = torch.cat([images[i * 8:(i + 1) * 8] for i in keep])
        ax.imshow(image_grid(picked, nrow=8), cmap="binary", vmin=0, vmax=1)
        ax.set_yticks([2 + 30 * r + 14 for r in range(len(keep))],
                      [f"epoch {epochs[i]}" for i in keep])
        ax.set_xticks([])
        ax.set_title(LABELS[loss_of(run)])
    fig.tight_layout()
    fig.savefig(FIGURES / "dcgan_over_training.png", dpi=110)
    print(f"wrote {FIGURES / 'dcgan_over_training.png'}")

    fig, (ax_fid, ax_conf) = plt.subplots(1, 2, figsize=(10, 3.6))
    for run in args.runs:
        rows = list(csv.DictReader((run / "scores.csv").open()))
        epochs = [int(r["epoch"]) for r in rows]
        ax_fid.plot(epochs, [float(r["fid"]) for r in rows], "o-", label=LABELS[loss_of(run)])
        ax_conf.plot(epochs, [float(r["confident"]) for r in rows], "o-")
    ax_fid.set(xlabel="epoch", ylabel="FashionCNN-FID (2,000 samples)", yscale="log")
    ax_conf.set(xlabel="epoch", ylabel="share with p >= 0.9", ylim=(0, 1))
    ax_fid.legend()
    fig.tight_layout()
    fig.savefig(FIGURES / "dcgan_scores.png", dpi=110)
    print(f"wrote {FIGURES / 'dcgan_scores.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
