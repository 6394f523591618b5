"""Unit 03's MLP GAN: does a known remedy keep it from collapsing? Coverage over training.

One run is one (variant, seed): the MLP GAN of ``course_lib.models.mlp_gan`` with the
non-saturating loss, batch 64, Adam 2e-4 (0.5, 0.999), all 60,000 training images, fp32,
one CPU thread. Every ``--score-every`` steps the generator is scored with
``score_generator`` on 2,000 samples (FID, classes covered, KL to uniform, confident share);
the rows go to ``scores.csv`` in the run folder, which resumes exactly.

Variants (everything else equal):

- ``baseline``: the shipped unit-03 recipe, continued;
- ``smooth``: one-sided label smoothing (Salimans et al. 2016): D's target for real images
  is 0.9 instead of 1, so D cannot become arbitrarily sure of the reals and G's gradient
  does not vanish on the modes D has learned to reject.

    OMP_NUM_THREADS=1 nice python benchmarks/mlp_gan_health.py --variant smooth --seed 0
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

FIELDS = ["step", "fid", "covered", "kl", "confident"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["baseline", "smooth"], required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--score-every", type=int, default=1_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path("runs/mlp_gan_health") / f"{args.variant}-seed{args.seed}"

    import torch
    from dcgan_long import append_row  # benchmarks/ is on sys.path when run as a script

    from course_lib.config import seed_everything
    from course_lib.data.fashion_mnist import fashion_mnist_dataset
    from course_lib.losses.gan import gan_loss, one_sided_smoothing
    from course_lib.metrics.generator_scores import score_generator
    from course_lib.training.gan_task import build_gan_task
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig

    torch.set_num_threads(1)
    loss = one_sided_smoothing(gan_loss("nonsaturating"), 0.9) if args.variant == "smooth" \
        else "nonsaturating"
    config = TrainConfig(steps=args.steps, batch_size=64, lr_g=2e-4, lr_d=2e-4, seed=args.seed,
                         device="cpu", precision="fp32", sample_every=args.score_every,
                         checkpoint_every=args.score_every, progress=False)
    seed_everything(args.seed)
    task = build_gan_task("mlp", loss)
    trainer = GANTrainer(task, fashion_mnist_dataset("train", value_range="symmetric"), config,
                         out_dir=out)
    scores_file = out / "scores.csv"
    done = {int(r["step"]) for r in csv.DictReader(scores_file.open())} if (
        scores_file.exists()) else set()
    while trainer.step < args.steps:
        trainer.fit(min(args.steps, (trainer.step // args.score_every + 1) * args.score_every))
        if trainer.stopped:
            print(f"stopped: {trainer.stopped}")
            return 1
        if trainer.step in done:
            continue
        got = score_generator(task.networks["generator"], 2000)
        row = {"step": trainer.step, "fid": round(got["fid"], 2), "covered": got["covered"],
               "kl": round(got["kl_to_uniform"], 4), "confident": round(got["confident"], 4)}
        append_row(scores_file, FIELDS, row)
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
