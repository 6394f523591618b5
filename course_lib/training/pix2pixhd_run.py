"""What ``course train pix2pixhd`` does, as functions a notebook can call.

``train_pix2pixhd`` trains ``Pix2PixHDConfig.course()`` on Landscapes label maps -> photos with
the shared ``GANTrainer`` and measures, every ``eval_every`` steps, the mIoU of the segmenter
on generated images for held-out test maps (the history a lecture plots). At the end it scores
the generator on the protocol's test maps (mIoU, pixel accuracy, landscape FID) and writes
``result.json`` in the run folder. ``course_lib.models.pix2pixhd`` exports the small fp16
checkpoint that ships with the package (``export_pix2pixhd``) and loads it (``load_pix2pixhd``).

The shared protocol of units 05 and 06 (``PROTOCOL``): 64 px, batch 4, 2,000 steps, the first
4,000 training scenes, scored on the first 500 test scenes, seeds 0 and 1. The shipped model
trains longer (``RECIPE``): 8,000 steps, the last 4,000 with the paper's linear decay of the
learning rate to 0 (about an hour on one CPU core).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from torch import nn

from course_lib.config import seed_everything
from course_lib.data.landscapes.pairs import LandscapePairs
from course_lib.metrics.translation import evaluate_translation
from course_lib.models.pix2pixhd.config import Pix2PixHDConfig
from course_lib.models.segmenter import load_segmenter
from course_lib.models.weights_file import jsonable
from course_lib.training.gan_trainer import GANTrainer, TrainConfig
from course_lib.training.translation import build_pix2pixhd_task


@dataclass
class TranslationProtocol:
    """The training and scoring protocol shared by pix2pixHD (unit 05) and SPADE (unit 06)."""

    size: int = 64
    batch_size: int = 4
    steps: int = 2000
    n_train: int = 4000  # the first scenes of the train split
    n_test: int = 500  # the first scenes of the test split, for the final figures
    n_eval: int = 200  # the first test scenes, for the mIoU-over-time curve
    eval_every: int = 250
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    lr_decay_from: int | None = None  # the paper's linear decay to 0 from this step; None: off


PROTOCOL = TranslationProtocol()
#: How ``course train pix2pixhd`` trains the shipped model: the shared protocol, four times
#: longer, its second half with the paper's linear learning-rate decay.
RECIPE = TranslationProtocol(steps=8000, lr_decay_from=4000, eval_every=500)


def train_pix2pixhd(out_dir: str | Path | None = "runs/pix2pixhd",
                    config: Pix2PixHDConfig | None = None,
                    protocol: TranslationProtocol = PROTOCOL, seed: int = 0,
                    progress: bool = True, final_eval: bool = True,
                    ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores)."""
    p, started = protocol, time.perf_counter()
    seed_everything(seed)
    config = config or Pix2PixHDConfig.course()
    data = LandscapePairs("train", p.n_train, p.size, progress=progress)
    preview = LandscapePairs("test", 16, p.size).labels
    task = build_pix2pixhd_task(config, preview_labels=preview)
    train_config = TrainConfig(
        steps=p.steps, batch_size=p.batch_size, lr_g=p.lr, lr_d=p.lr, betas=p.betas, seed=seed,
        lr_decay_from=p.lr_decay_from,
        log_every=min(50, p.steps), sample_every=p.eval_every, n_samples=16,
        checkpoint_every=p.eval_every, progress=progress)
    trainer = GANTrainer(task, data, train_config, out_dir=out_dir)
    segmenter = load_segmenter()
    metrics_path = Path(out_dir) / "metrics.csv" if out_dir is not None else None
    rows = (pd.read_csv(metrics_path).to_dict("records")
            if metrics_path is not None and metrics_path.exists() else [])
    rows = [r for r in rows if r["step"] <= trainer.step]
    while trainer.step < p.steps:
        trainer.fit(min(p.steps, (trainer.step // p.eval_every + 1) * p.eval_every))
        if trainer.stopped:
            break
        fit_looks(trainer.nets["generator"], data, seed)
        scores = evaluate_translation(trainer.nets["generator"], "test", p.n_eval, p.size,
                                      segmenter, fid=False)
        rows.append({"step": trainer.step, **scores,
                     "seconds": round(time.perf_counter() - started, 1)})
        if metrics_path is not None:
            pd.DataFrame(rows).to_csv(metrics_path, index=False)
    metrics = pd.DataFrame(rows)
    result: dict[str, Any] = {}
    if fit_looks(trainer.nets["generator"], data, seed) and out_dir is not None \
            and not trainer.stopped:
        trainer.save()  # the run folder keeps the looks its result.json was measured with
    if final_eval:
        result = evaluate_translation(trainer.nets["generator"], "test", p.n_test, p.size,
                                      segmenter)
        result = {k: round(v, 4) for k, v in result.items()}
        result.update(step=trainer.step, seed=seed, train_seconds=round(
            time.perf_counter() - started, 1), protocol=jsonable(asdict(p)),
            config=asdict(config))
        if out_dir is not None:
            (Path(out_dir) / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return trainer, metrics, result


def fit_looks(generator: nn.Module, data: LandscapePairs, seed: int = 0,
              limit: int = 1000) -> bool:
    """With the feature encoder: cluster E's features of the first ``limit`` training photos
    (the looks that maps get at test time; 1,000 scenes give each class hundreds of regions
    for its 10 clusters) and return True. A generator without E has nothing to fit: False."""
    if not hasattr(generator, "fit_feature_clusters"):
        return False
    generator.fit_feature_clusters(data.photos(slice(limit)), data.labels[:limit], seed)
    return True


__all__ = ["PROTOCOL", "RECIPE", "TranslationProtocol", "fit_looks", "train_pix2pixhd"]
