"""Ship a trained GAN generator: fp16 weights + a JSON sidecar with its measured quality.

Used to make ``course_lib/checkpoints/mlp_gan.*`` and ``lsgan_dcgan.*`` from run folders::

    python benchmarks/export_gan_generator.py runs/ship_mlp_gan mlp_gan \\
        --command "OMP_NUM_THREADS=1 course train gan --steps 2000 --seed 0 --out ..."

The quality is measured twice with ``score_generator`` (FashionCNN FID against the first n
test images, class coverage, KL to uniform): on 2,000 samples (the headline figure, also for
the fp32 weights of the run, to show that fp16 is harmless) and on 500 samples (the figure
``tests/test_gan_checkpoints.py`` repeats).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
from pathlib import Path

import torch

from course_lib.metrics.generator_scores import score_generator
from course_lib.models.fashion_gan import (
    SHIPPED_GENERATORS,
    export_generator,
    generator_from_checkpoint,
)
from course_lib.models.weights_file import export_path

SAMPLE_SEED = 1234


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="run folder with checkpoints/")
    parser.add_argument("name", choices=sorted(SHIPPED_GENERATORS))
    parser.add_argument("--command", required=True, help="the exact training command")
    parser.add_argument("--note", default="", help="anything a reader should know")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    pointer = json.loads((args.run / "checkpoints" / "latest.json").read_text())
    state = torch.load(args.run / "checkpoints" / pointer["state"], weights_only=True)
    fp32 = score_generator(generator_from_checkpoint(args.run), 2000, SAMPLE_SEED)
    info = {
        "name": args.name,
        "about": SHIPPED_GENERATORS[args.name],
        "command": args.command,
        "seed": state["config"]["seed"],
        "steps": pointer["step"],
        "train_config": state["config"],
        "train_images": 60000,
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores shared with other work, "
                   "1 torch thread, no GPU",
        "note": args.note,
    }
    # The one export rule: this script exists to replace the shipped file, so it asks for
    # the package explicitly (the old files are kept as <name>.*.bak).
    out = export_generator(args.run, export_path(args.name, None, to_package=True), info)
    shipped = generator_from_checkpoint(out)
    quality = score_generator(shipped, 2000, SAMPLE_SEED)
    check = score_generator(shipped, 500, SAMPLE_SEED)
    real = "the first n Fashion-MNIST test images"
    info["quality"] = {**quality, "sample_seed": SAMPLE_SEED, "real": real,
                       "fid_fp32_weights": fp32["fid"], "covered_fp32_weights": fp32["covered"],
                       "kl_fp32_weights": fp32["kl_to_uniform"]}
    info["check"] = {**check, "sample_seed": SAMPLE_SEED, "real": real}
    sidecar = out.with_suffix(".json")
    full = {**json.loads(sidecar.read_text()), **info}
    sidecar.write_text(json.dumps(full, indent=2) + "\n")
    print(json.dumps({"file": str(out), "bytes": out.stat().st_size, "quality": info["quality"],
                      "check": info["check"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
