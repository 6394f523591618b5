"""Unit 06 benchmark: SPADE against pix2pixHD under the shared protocol, and style transfer.

Reads the run folders of ``course train spade`` and ``course train pix2pixhd`` (``result.json``
for the final figures on 500 test maps, ``metrics.csv`` for mIoU on 200 test maps every 250
steps), prints one row per seed and the means, and the mIoU of both at every step both runs
reached (the comparison at equal steps). ``--style CHECKPOINT`` measures style transfer: codes
of test renders of each time of day / season, generated on other test maps, read back with
the colour statistics of ``course_lib.metrics.landscape_attributes``. ``--step-time`` measures
what one training step (D + G update) of each course model costs in CPU time at 64 px, batch 4,
one thread, on random data: equal steps are only a fair comparison if the steps cost alike.

    OMP_NUM_THREADS=1 python benchmarks/spade_vs_pix2pixhd.py \
        --spade runs/spade-s0 runs/spade-s1 --pix2pixhd runs/p2p-s0 runs/p2p-s1 --style package
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd


def runs_table(folders: list[str], name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    finals, curves = [], []
    for folder in map(Path, folders):
        if (folder / "result.json").exists():
            result = json.loads((folder / "result.json").read_text())
            finals.append({"model": name, "run": folder.name, "seed": result.get("seed"),
                           "step": result.get("step"), "miou_500": result.get("miou"),
                           "pixel_accuracy_500": result.get("pixel_accuracy"),
                           "fid_500": result.get("fid")})
        if (folder / "metrics.csv").exists():
            frame = pd.read_csv(folder / "metrics.csv")
            frame["model"], frame["run"] = name, folder.name
            curves.append(frame)
    return (pd.DataFrame(finals),
            pd.concat(curves, ignore_index=True) if curves else pd.DataFrame())


def time_steps(builders: dict[str, Callable[[], Any]], steps: int = 6, repeats: int = 3
               ) -> dict[str, float]:
    """Median CPU seconds per ``fit`` step of each trainer ``builders[name]()`` makes: the median
    over ``repeats`` fresh trainers of each one's median over ``steps`` steps (after 2 warm-up
    steps; the trainers must allow ``steps + 2`` steps)."""
    import statistics
    import time

    medians: dict[str, list[float]] = {name: [] for name in builders}
    for _ in range(repeats):
        for name, build in builders.items():
            trainer = build()
            trainer.fit(2)  # warm-up
            times = []
            for step in range(3, steps + 3):
                start = time.process_time()
                trainer.fit(step)
                times.append(time.process_time() - start)
            medians[name].append(statistics.median(times))
    return {name: statistics.median(values) for name, values in medians.items()}


def step_times(steps: int = 6, repeats: int = 3) -> dict[str, float]:
    """Median CPU seconds per training step of each course model (64 px, batch 4, 1 thread):
    the median over ``repeats`` fresh trainers of each one's median over ``steps`` steps."""
    from dataclasses import replace

    import torch

    from course_lib.models.pix2pixhd import Pix2PixHDConfig
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig
    from course_lib.training.spade_task import (
        SPADELossConfig,
        build_spade_task,
        spade_train_config,
    )
    from course_lib.training.translation import build_pix2pixhd_task

    torch.set_num_threads(1)
    data = [(torch.rand(3, 64, 64) * 2 - 1, torch.randint(0, 9, (64, 64))) for _ in range(16)]
    quiet = dict(steps=steps + 2, batch_size=4, log_every=1000, sample_every=0,
                 checkpoint_every=0, progress=False)
    builders = {
        "SPADE": lambda: GANTrainer(build_spade_task(preview_labels=data[0][1][None]), data,
                                    spade_train_config(**quiet)),
        # the shipped recipe: + the CLIP perceptual term
        "SPADE + perceptual": lambda: GANTrainer(
            build_spade_task(loss=SPADELossConfig.course(lambda_perceptual=10.0),
                             preview_labels=data[0][1][None]), data, spade_train_config(**quiet)),
        "pix2pixHD": lambda: GANTrainer(build_pix2pixhd_task(), data, TrainConfig(**quiet)),
        # the shipped recipe: + the CLIP perceptual term, the real pair through D again
        "pix2pixHD + perceptual": lambda: GANTrainer(
            build_pix2pixhd_task(replace(Pix2PixHDConfig.course(), lambda_perceptual=10.0),
                                 reuse_real_features=False), data, TrainConfig(**quiet)),
    }
    return time_steps(builders, steps, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spade", nargs="*", default=[], help="run folders of course train spade")
    parser.add_argument("--pix2pixhd", nargs="*", default=[], help="run folders of unit 05")
    parser.add_argument("--style", default=None,
                        help="'package' (shipped checkpoint) or a SPADE run folder / weights")
    parser.add_argument("--per-style", type=int, default=60)
    parser.add_argument("--step-time", action="store_true",
                        help="CPU seconds per training step of each course model")
    args = parser.parse_args(argv)
    if args.step_time:
        times = step_times()
        print("CPU seconds per training step (64 px, batch 4, 1 thread):",
              {k: round(v, 3) for k, v in times.items()},
              f"pix2pixHD / SPADE = {times['pix2pixHD'] / times['SPADE']:.2f}")

    finals, curves = [], []
    for name, folders in (("SPADE", args.spade), ("pix2pixHD", args.pix2pixhd)):
        final, curve = runs_table(folders, name)
        finals.append(final)
        curves.append(curve)
    final = pd.concat(finals, ignore_index=True)
    if len(final):
        print("final figures (first 500 test maps):")
        print(final.to_string(index=False))
        print(final.groupby("model")[["miou_500", "pixel_accuracy_500", "fid_500"]].mean()
              .round(4).to_string())
    curve = pd.concat(curves, ignore_index=True)
    if len(curve):
        wide = curve.pivot_table(index="step", columns=["model", "run"], values="miou")
        print("mIoU on 200 test maps at each step:")
        print(wide.round(4).to_string())
    if args.style:
        import torch

        from course_lib.metrics.style_transfer import style_transfer_table
        from course_lib.models.spade import load_spade

        torch.set_num_threads(1)
        model = load_spade(None if args.style == "package" else args.style)
        for attribute in ("time_of_day", "season"):
            table, summary = style_transfer_table(model, attribute, per_style=args.per_style)
            print(f"style transfer, {attribute}: rows = source style, columns = share of "
                  f"generated pictures read as each ({args.per_style} per style)")
            print(table.round(3).to_string())
            print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
