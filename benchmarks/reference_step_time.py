"""Issue 20 benchmark: the course configs' training step and size, to compare across commits.

CPU time of one training step (D + G update) of the SPADE, pix2pixHD and VQ-GAN course models
at 64 px, fp32, one thread, random data (SPADE and pix2pixHD: batch 4 as their protocol;
VQ-GAN: batch 16 as ``train_vqgan``, D active from the first step), the median over
``--repeats`` fresh trainers of each one's median over ``--steps`` steps; and the parameter
count of every network. Run it on this commit and on an older one (same script, the other
commit's ``course_lib`` first on the path) to see what a change cost:

    OMP_NUM_THREADS=1 python benchmarks/reference_step_time.py
    git worktree add /tmp/old 4b7b488
    OMP_NUM_THREADS=1 PYTHONPATH=/tmp/old python benchmarks/reference_step_time.py

``--digest`` prints a hash of the seeded course SPADE's weights, losses and shipped pictures
instead, to show that a change left them bit for bit the same.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import torch
from spade_vs_pix2pixhd import time_steps

MODELS = ["SPADE", "pix2pixHD", "VQ-GAN", "pix2pixHD-4pass", "VQ-GAN-taming"]
DEFAULT_MODELS = MODELS[:3]


def trainers(steps: int) -> dict[str, Any]:
    """A builder of a fresh ``GANTrainer`` per course model (random data, no logging)."""
    from course_lib.models.vqgan.model import VQGAN, VQGANConfig
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig
    from course_lib.training.spade_task import build_spade_task, spade_train_config
    from course_lib.training.translation import build_pix2pixhd_task
    from course_lib.training.vqgan_run import (
        PatchDiscriminator,
        SegmenterPerceptual,
        VQGANLossConfig,
        VQGANTask,
    )

    pairs = [(torch.rand(3, 64, 64) * 2 - 1, torch.randint(0, 9, (64, 64))) for _ in range(16)]
    images = torch.rand(64, 3, 64, 64) * 2 - 1
    quiet = dict(steps=steps + 2, log_every=1000, sample_every=0, checkpoint_every=0,
                 progress=False)
    perceptual = SegmenterPerceptual()

    def vqgan(layout: str = "course") -> GANTrainer:
        task = VQGANTask(VQGAN(VQGANConfig.course(*layout_args(layout))),
                         PatchDiscriminator(32, 3), perceptual,
                         VQGANLossConfig(disc_start=0, perceptual_images=8), images[:8])
        return GANTrainer(task, images, TrainConfig(batch_size=16, lr_g=2e-3, lr_d=2e-3,
                                                    betas=(0.5, 0.9), **quiet))

    return {
        "SPADE": lambda: GANTrainer(build_spade_task(preview_labels=pairs[0][1][None]), pairs,
                                    spade_train_config(batch_size=4, **quiet)),
        "pix2pixHD": lambda: GANTrainer(build_pix2pixhd_task(), pairs,
                                        TrainConfig(batch_size=4, **quiet)),
        "VQ-GAN": vqgan,
        "pix2pixHD-4pass": lambda: GANTrainer(pix2pixhd_four_passes(), pairs,
                                              TrainConfig(batch_size=4, **quiet)),
        "VQ-GAN-taming": lambda: vqgan("taming"),
    }


def layout_args(layout: str) -> tuple[str, ...]:
    """``VQGANConfig.course``'s arguments: none for the course layout, so older commits run."""
    return () if layout == "course" else (layout,)


def pix2pixhd_four_passes() -> Any:
    """The course pix2pixHD task with the shipped recipe's step: G's feature-matching target
    from D after its update, one D pass more (on commits before the official three passes
    became the default, that is the default step)."""
    from course_lib.training.translation import build_pix2pixhd_task

    task = build_pix2pixhd_task()
    task.reuse_real_features = False
    return task


def parameter_counts(taming: bool = False) -> dict[str, int]:
    """Parameters of each network of the three course models as built for training (and of
    the course VQ-GAN's sizes in taming's layout if ``taming``)."""
    from course_lib.models.vqgan.model import VQGAN, VQGANConfig
    from course_lib.training.spade_task import build_spade_task
    from course_lib.training.translation import build_pix2pixhd_task

    def n(module: torch.nn.Module) -> int:
        return sum(p.numel() for p in module.parameters())

    spade, p2p = build_spade_task().networks, build_pix2pixhd_task().networks
    counts = {"SPADE G+E": n(spade["generator"]), "SPADE D": n(spade["discriminator"]),
              "pix2pixHD G+E": n(p2p["generator"]), "pix2pixHD D": n(p2p["discriminator"]),
              "VQ-GAN": n(VQGAN(VQGANConfig.course()))}
    if taming:
        counts["VQ-GAN taming layout"] = n(VQGAN(VQGANConfig.course("taming")))
    return counts


def spade_digest() -> str:
    """SHA-256 over the seed-0 course SPADE task's initial weights, the losses of its first two
    steps and the shipped checkpoint's pictures of three maps: equal digests on two commits
    mean the course SPADE builds, trains and ships the same numbers."""
    import hashlib

    from course_lib.models.label_maps import generate
    from course_lib.models.spade import load_spade
    from course_lib.training.gan_trainer import GANTrainer
    from course_lib.training.spade_task import build_spade_task, spade_train_config

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    pairs = [(torch.rand(3, 64, 64, generator=g) * 2 - 1,
              torch.randint(0, 9, (64, 64), generator=g)) for _ in range(8)]
    task = build_spade_task(preview_labels=pairs[0][1][None])
    tensors = [v for net in task.networks.values() for v in net.state_dict().values()]
    history = GANTrainer(task, pairs, spade_train_config(
        batch_size=4, steps=2, log_every=1, sample_every=0, checkpoint_every=0, progress=False,
        seed=0)).fit(2)
    tensors += [torch.tensor(history.to_numpy(dtype="float64")),
                generate(load_spade(), torch.randint(0, 9, (3, 64, 64), generator=g), seed=0)]
    digest = hashlib.sha256()
    for t in tensors:
        digest.update(t.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS, choices=MODELS,
                        help="which course models to time (default: the three course models; "
                             "pix2pixHD-4pass: reuse_real_features=False; VQ-GAN-taming: "
                             "VQGANConfig.course('taming'), this commit only)")
    parser.add_argument("--digest", action="store_true",
                        help="print spade_digest() (compare it across commits) and stop")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.digest:
        print(spade_digest())
        return 0
    if args.steps < 1 or args.repeats < 1:
        parser.error("--steps and --repeats must be at least 1")
    torch.manual_seed(0)
    builders = trainers(args.steps)
    times = time_steps({name: builders[name] for name in args.models}, args.steps, args.repeats)
    print(json.dumps({"cpu_seconds_per_step": {k: round(v, 4) for k, v in times.items()},
                      "parameters": parameter_counts("VQ-GAN-taming" in args.models)},
                     indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
