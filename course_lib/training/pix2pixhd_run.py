"""What ``course train pix2pixhd`` does, as functions a notebook can call.

``train_pix2pixhd`` trains ``Pix2PixHDConfig.course()`` on Landscapes label maps -> photos with
the shared ``GANTrainer`` and measures, every ``eval_every`` steps, the mIoU of the segmenter
on generated images for held-out test maps (the history a lecture plots). At the end it scores
the generator on the protocol's test maps (mIoU, pixel accuracy, landscape FID) and writes
``result.json`` in the run folder. ``export_generator`` writes the small fp16 checkpoint that
ships with the package, ``load_pix2pixhd`` loads it back.

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
from course_lib.models.pix2pixhd.build import build_generator
from course_lib.models.pix2pixhd.config import Pix2PixHDConfig
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    checkpoint_path,
    jsonable,
    load_weights,
    read_sidecar,
    save_weights,
)
from course_lib.training.gan_trainer import GANTrainer, TrainConfig
from course_lib.training.translation import (
    LandscapePairs,
    build_pix2pixhd_task,
    evaluate_translation,
)

CHECKPOINT_NAME = "pix2pixhd_landscapes64"


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
    from course_lib.models.segmenter import load_segmenter

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


def export_generator(generator: nn.Module, config: Pix2PixHDConfig, meta: dict[str, Any],
                     path: str | Path | None = None) -> Path:
    """Write G's weights as fp16 safetensors plus a JSON sidecar (config + ``meta``)."""
    path = checkpoint_path(path, CHECKPOINT_NAME)
    return save_weights(generator.state_dict(), path, {"config": asdict(config), **meta})


def load_pix2pixhd(path: str | Path | None = None) -> nn.Module:
    """The shipped (or an exported) pix2pixHD generator, float32, eval mode, on the CPU.

    Also accepts a run folder of ``course train pix2pixhd`` (its latest checkpoint).
    """
    from course_lib.models.weights_file import latest_network_weights

    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    found = latest_network_weights(path, "generator")
    if found:
        state, meta = found
    else:
        state, meta = load_weights(path, "pix2pixHD", "course train pix2pixhd")
    generator = build_generator(Pix2PixHDConfig(**meta["config"]))
    generator.load_state_dict(state)
    return generator.eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of the shipped pix2pixHD checkpoint (command, seed, date, quality)."""
    return read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))


__all__ = ["PROTOCOL", "RECIPE", "TranslationProtocol", "checkpoint_info", "export_generator",
           "load_pix2pixhd", "train_pix2pixhd", "LandscapePairs"]
