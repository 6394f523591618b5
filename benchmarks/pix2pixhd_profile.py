"""pix2pixHD (unit 05) on CPU: step time and peak memory at 64, 128 and 256 px.

One step is what ``GANTrainer`` does per step with ``TranslationTask``: one discriminator
update and one generator update (the course configuration ``Pix2PixHDConfig.course()``, batch
4 as in the shared protocol, fp32, one thread). Each size runs in a fresh Python process so
that its peak memory is its own: the growth of the maximum resident set size
(``ru_maxrss``) from just before the trainer is built to the end of the timed steps
(weights, Adam state, activations). The step time is the median of ``--steps`` timed steps
after one warm-up step; wall clock and the process's CPU time are both given, with the load
average, because on a shared machine the wall clock mostly measures the other processes.

    OMP_NUM_THREADS=1 python benchmarks/pix2pixhd_profile.py --sizes 64 128 256
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def measure(size: int, batch: int, steps: int) -> dict:
    import torch

    torch.set_num_threads(1)
    from torch.utils.data import TensorDataset

    from course_lib.training.gan_trainer import GANTrainer, TrainConfig
    from course_lib.training.translation import build_pix2pixhd_task

    torch.manual_seed(0)
    data = TensorDataset(torch.rand(batch * 4, 3, size, size) * 2 - 1,
                         torch.randint(0, 9, (batch * 4, size, size)))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    trainer = GANTrainer(build_pix2pixhd_task(), data,
                         TrainConfig(batch_size=batch, device="cpu", precision="fp32",
                                     progress=False, sample_every=0))
    batches = trainer._batches()
    trainer._train_step(batches)  # warm-up
    wall, cpu = [], []
    load = os.getloadavg()[0]
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time()
        trainer._train_step(batches)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    peak_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    return {"size": size, "batch": batch, "wall_s": statistics.median(wall),
            "cpu_s": statistics.median(cpu), "peak_mb": round(peak_mb, 1),
            "load": round((load + os.getloadavg()[0]) / 2, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.batch, args.steps)))
        return
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(size), "--batch",
                              str(args.batch), "--steps", str(args.steps)],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{size} px, batch {row['batch']}: {row['wall_s']:.2f} s/step wall, "
              f"{row['cpu_s']:.2f} s/step CPU, peak memory +{row['peak_mb']:.0f} MB "
              f"(load average {row['load']})", flush=True)


if __name__ == "__main__":
    main()
