"""GAN vs LSGAN on the ring of eight Gaussians, over seeds: the experiment where Mao et al.
saw least squares help. Prints the table, saves a PNG of G's samples over training (seed 0)
and with ``--write`` appends the rows to RESULTS.md::

    OMP_NUM_THREADS=1 python benchmarks/mixture_gan.py --steps 5000 --seeds 0 1 2 3 4 --write
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

import torch

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--write", action="store_true", help="append rows to RESULTS.md")
    args = parser.parse_args()
    torch.set_num_threads(1)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.data.toy2d import ring_of_gaussians
    from course_lib.training.toy_run import ToyProtocol, compare_losses

    protocol = ToyProtocol(steps=args.steps, lr=args.lr, snapshot_every=max(args.steps // 5, 1))
    table, runs = compare_losses(seeds=tuple(args.seeds), protocol=protocol)
    print(table.to_string())
    means = table.groupby("loss")[["modes covered", "high quality"]].mean()
    print(means)
    real = ring_of_gaussians(2000, std=protocol.std, seed=99)
    losses = list(dict.fromkeys(table["loss"]))
    steps = sorted(runs[losses[0], args.seeds[0]].snapshots)
    fig, axes = plt.subplots(len(losses), len(steps), figsize=(2.2 * len(steps), 2.3 * len(losses)),
                             squeeze=False)
    for row, loss in enumerate(losses):
        for col, step in enumerate(steps):
            ax = axes[row, col]
            ax.scatter(real[:, 0], real[:, 1], s=1, c="lightgray")
            points = runs[loss, args.seeds[0]].snapshots.get(step)
            if points is not None:
                ax.scatter(points[:, 0], points[:, 1], s=1, c="tab:red" if row else "tab:blue")
            ax.set(xlim=(-3, 3), ylim=(-3, 3), xticks=[], yticks=[])
            ax.set_title(f"{loss}, step {step}", fontsize=8)
    fig.tight_layout()
    figure = HERE / "figures" / "mixture_gan.png"
    figure.parent.mkdir(exist_ok=True)
    fig.savefig(figure, dpi=80)
    print(f"saved {figure}")
    (HERE / "figures" / "mixture_gan.json").write_text(json.dumps(
        {"protocol": vars(protocol), "rows": table.to_dict("records")}, indent=1) + "\n")
    if args.write:
        date = datetime.date.today().isoformat()
        command = (f"OMP_NUM_THREADS=1 python benchmarks/mixture_gan.py --steps {args.steps} "
                   f"--lr {args.lr:g} --seeds {' '.join(map(str, args.seeds))}")
        with (HERE / "RESULTS.md").open("a") as f:
            for loss, mine in table.groupby("loss", sort=False):
                f.write(f"| Ring of 8 Gaussians (std 0.02, radius 2), MLP G and D (3 x 128 ReLU), "
                        f"{loss}, Adam {args.lr:g} (0.5, 0.999), batch 256, {args.steps} steps: "
                        f"modes covered per seed / mean; high-quality share (within 3 std) mean |"
                        f" {' '.join(str(v) for v in mine['modes covered'])} / "
                        f"{mine['modes covered'].mean():.1f} of 8; "
                        f"{mine['high quality'].mean():.3f} | {command} | full | CPU, 2 cores, "
                        f"1 thread, no GPU | {date} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
