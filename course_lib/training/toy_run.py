"""GAN vs LSGAN on the ring of Gaussians: one short run per (loss, seed), scored exactly.

The experiment where Mao et al. saw the least-squares loss help: an MLP G and D on a mixture
of eight 2-D Gaussians. ``train_toy_gan`` trains one run with the shared ``GANTrainer`` and
keeps G's samples of fixed noise every ``snapshot_every`` steps; ``compare_losses`` repeats it
over seeds and scores each final G with ``mode_coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import torch
from torch.utils.data import TensorDataset

from course_lib.config import seed_everything
from course_lib.data.toy2d import ring_centres, ring_of_gaussians
from course_lib.metrics.modes import mode_coverage
from course_lib.models.toy_gan import ToyDiscriminator, ToyGANConfig, ToyGenerator
from course_lib.training.gan_task import GANTask
from course_lib.training.gan_trainer import GANTrainer, TrainConfig


@dataclass
class ToyRun:
    """What one run gives: its trainer (history, networks) and G's samples over training."""

    trainer: GANTrainer
    snapshots: dict[int, torch.Tensor] = field(default_factory=dict)  # step -> (n, 2) points


@dataclass
class ToyProtocol:
    """The mixture experiment's settings (the same for every loss)."""

    steps: int = 5_000
    batch_size: int = 256
    lr: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.999)
    n_data: int = 50_000
    std: float = 0.02  # of each Gaussian; the ring has radius 2
    n_samples: int = 2_500  # drawn from the final G to score it
    snapshot_every: int = 1_000


def train_toy_gan(loss: str, seed: int, protocol: ToyProtocol | None = None,
                  config: ToyGANConfig | None = None) -> ToyRun:
    """Train G and D (``loss``: ``nonsaturating``, ``minimax`` or ``lsgan``) on the ring."""
    p, config = protocol or ToyProtocol(), config or ToyGANConfig()
    seed_everything(seed)
    task = GANTask(ToyGenerator(config), ToyDiscriminator(config), loss)
    data = TensorDataset(ring_of_gaussians(p.n_data, std=p.std, seed=seed))
    train_config = TrainConfig(steps=p.steps, batch_size=p.batch_size, lr_g=p.lr, lr_d=p.lr,
                               betas=p.betas, seed=seed, device="cpu", precision="fp32",
                               sample_every=0, log_every=max(p.steps // 50, 1),
                               n_samples=p.n_samples, progress=False)
    trainer = GANTrainer(task, data, train_config)
    run = ToyRun(trainer)
    for target in range(p.snapshot_every, p.steps + p.snapshot_every, p.snapshot_every):
        trainer.fit(min(target, p.steps))
        if trainer.stopped:
            break
        run.snapshots[trainer.step] = trainer.sample()
    return run


def compare_losses(losses: tuple[str, ...] = ("nonsaturating", "lsgan"),
                   seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
                   protocol: ToyProtocol | None = None) -> tuple[pd.DataFrame, dict]:
    """One run per (loss, seed): a table of modes covered and high-quality share, and the runs."""
    p = protocol or ToyProtocol()
    rows, runs = [], {}
    for loss in losses:
        for seed in seeds:
            run = runs[loss, seed] = train_toy_gan(loss, seed, p)
            final = run.snapshots[max(run.snapshots)]
            score = mode_coverage(final, ring_centres(), p.std)
            rows.append({"loss": loss, "seed": seed, "modes covered": score.covered,
                         "high quality": score.high_quality,
                         "stopped": run.trainer.stopped or ""})
    return pd.DataFrame(rows), runs
