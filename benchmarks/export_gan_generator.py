"""Ship a trained GAN generator: fp16 weights + a JSON sidecar with its measured quality.

Used to make ``course_lib/checkpoints/mlp_gan.*``, ``lsgan_dcgan.*`` and ``gan_dcgan.*`` from run
folders (with ``--long-run``, also the ``<name>.progress.*`` pictures of unit 04)::

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


def write_progress(long_run: Path, name: str, step: int, sidecar: Path, kept: str = "epoch"
                   ) -> Path:
    """Record the long run's epochs up to ``step``: scores in the sidecar, samples in a file
    (from the kept generators ``kept-NN``: ``epoch`` the live G, ``ema`` its moving average)."""
    import csv

    from safetensors.torch import load_file

    from course_lib.models.fashion_gan import build_gan, progress_path, progress_samples
    from course_lib.models.weights_file import save_weights

    info = json.loads(sidecar.read_text())
    rows = [r for r in csv.DictReader((long_run / "scores.csv").open()) if int(r["step"]) <= step]
    generators = []
    for row in rows:
        generator, _ = build_gan(info["arch"], **info["config"])
        generator.load_state_dict(load_file(str(
            long_run / "generators" / f"{kept}-{int(row['epoch']):02d}.safetensors")))
        generators.append(generator)
    history = [{k: float(v) if "." in v else int(v) for k, v in r.items()} for r in rows]
    if kept == "ema":  # the shipped G is the average: its figures under the plain names
        history = [{k: v for k, v in r.items() if not k.startswith("ema_")}
                   | {f"live_{k}": v for k, v in r.items() if f"ema_{k}" in r}
                   | {k[4:]: v for k, v in r.items() if k.startswith("ema_")} for r in history]
    info["epochs_history"] = history
    sidecar.write_text(json.dumps(info, indent=2) + "\n")
    epochs = [int(r["epoch"]) for r in rows]
    path = export_path(progress_path(name).stem, None, to_package=True)
    return save_weights({"samples": progress_samples(generators)}, path,
                        {"name": name, "epochs": epochs, "noise_seed": 0,
                         "about": "fixed-noise samples after every epoch, uint8 (x + 1) * 127.5"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="run folder with checkpoints/")
    parser.add_argument("name", choices=sorted(SHIPPED_GENERATORS))
    parser.add_argument("--command", required=True, help="the exact training command")
    parser.add_argument("--note", default="", help="anything a reader should know")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--long-run", type=Path, default=None,
                        help="run folder of benchmarks/dcgan_long.py the shipped epoch comes "
                        "from: its scores per epoch go into the sidecar and its fixed-noise "
                        "samples per epoch into <name>.progress.safetensors")
    parser.add_argument("--long-run-kept", choices=["epoch", "ema"], default="epoch",
                        help="with --long-run: which kept generators draw the progress samples "
                        "(ema: the moving averages of a dcgan_long.py --ema run)")
    parser.add_argument("--steps-history", type=Path, default=None,
                        help="scores.csv of benchmarks/mlp_gan_health.py for this run: its "
                        "rows up to the shipped step go into the sidecar as steps_history")
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
    if args.long_run:
        write_progress(args.long_run, args.name, pointer["step"], sidecar, args.long_run_kept)
    if args.steps_history:
        import csv

        rows = [{k: float(v) if "." in v else int(v) for k, v in r.items()}
                for r in csv.DictReader(args.steps_history.open())]
        kept = json.loads(sidecar.read_text())
        kept["steps_history"] = [r for r in rows if r["step"] <= pointer["step"]]
        sidecar.write_text(json.dumps(kept, indent=2) + "\n")
    print(json.dumps({"file": str(out), "bytes": out.stat().st_size, "quality": info["quality"],
                      "check": info["check"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
