"""Check that data-parallel training works on this machine: ``torchrun`` a tiny GAN.

    torchrun --nproc_per_node 2 -m course_lib.training.ddp_check --out /tmp/ddp_check

Each rank trains the same tiny DCGAN on its half of a small random data set (gloo on CPU,
nccl on GPUs) and then writes its own weights to ``OUT/rank-<r>.safetensors``; rank 0 also
writes the run's checkpoints. Identical weights on every rank mean the gradients were averaged
correctly. ``tests/test_training_engine.py`` runs this with two CPU processes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch.utils.data import TensorDataset

from course_lib.training import distributed
from course_lib.training.checkpoint import network_weights
from course_lib.training.gan_task import build_gan_task
from course_lib.training.gan_trainer import GANTrainer, TrainConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args(argv)

    info = distributed.setup()
    torch.set_num_threads(1)
    torch.manual_seed(0)  # the same data set and initial weights on every rank
    data = TensorDataset(torch.rand(64, 1, 28, 28) * 2 - 1)
    task = build_gan_task("dcgan", "lsgan", latent_dim=8, g_channels=8, d_channels=4)
    config = TrainConfig(steps=args.steps, batch_size=8, log_every=2, sample_every=0,
                         checkpoint_every=3, device="cpu" if not torch.cuda.is_available()
                         else None, progress=False)
    trainer = GANTrainer(task, data, config, out_dir=args.out / "run", resume=False)
    trainer.fit()
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(network_weights(trainer.nets), str(args.out / f"rank-{info.rank}.safetensors"),
              metadata={"world_size": str(info.world_size),
                        "first_index": str(next(iter(trainer.sampler)))})
    if info.is_main:
        print(f"{info.world_size} ranks trained {trainer.step} steps; history:")
        print(trainer.history.to_string(index=False))
    distributed.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
