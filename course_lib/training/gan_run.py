"""What ``course train gan|lsgan`` and ``course sample`` do, as functions a notebook can call.

``train_fashion_gan`` trains unit 03's MLP GAN or unit 04's DCGAN with LSGAN on Fashion-MNIST
scaled to [-1, 1]; it works the same in one process and under ``torchrun``::

    course train lsgan --steps 5000 --out runs/lsgan
    torchrun --nproc_per_node 2 -m course_lib.cli train lsgan --out runs/lsgan
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from course_lib.config import seed_everything
from course_lib.models.fashion_gan import load_generator, sample
from course_lib.training import distributed
from course_lib.training.gan_task import build_gan_task
from course_lib.training.gan_trainer import GANTrainer, TrainConfig
from course_lib.training.samples import save_grid


def train_fashion_gan(arch: str = "mlp", loss: str = "nonsaturating",
                      out_dir: str | Path | None = "runs/gan", config: TrainConfig | None = None,
                      limit: int | None = None, resume: bool = True,
                      model: dict[str, Any] | None = None) -> GANTrainer:
    """Train a GAN on Fashion-MNIST (the first ``limit`` training images); return the trainer.

    ``model`` overrides fields of the architecture's config (e.g. ``{"g_batch_norm": False}``).
    """
    from course_lib.data.fashion_mnist import fashion_mnist_dataset

    distributed.setup()
    config = config or TrainConfig()
    seed_everything(config.seed)  # the same initial weights on every rank
    data = fashion_mnist_dataset("train", value_range="symmetric", limit=limit)
    task = build_gan_task(arch, loss, **(model or {}))
    trainer = GANTrainer(task, data, config, out_dir=out_dir, resume=resume)
    trainer.fit()
    return trainer


def sample_grid(checkpoint: str | Path, out: str | Path, n: int = 64, seed: int = 0,
                nrow: int = 8) -> Path:
    """Draw ``n`` images from a trained generator and save them as one PNG grid.

    ``checkpoint`` is a run folder, a weights file, or the name of a shipped generator
    (``mlp_gan``, ``lsgan_dcgan``; see ``course_lib.models.fashion_gan.load_generator``).
    """
    return save_grid(sample(load_generator(checkpoint), n, seed), Path(out), nrow=nrow)
