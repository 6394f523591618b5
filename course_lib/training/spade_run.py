"""What ``course train spade`` does, as functions a notebook can call.

``train_spade`` trains ``SPADEConfig.course()`` (generator + style encoder) under the protocol
shared with unit 05 (``course_lib.training.pix2pixhd_run.PROTOCOL``: 64 px, batch 4, 2,000
steps, the first 4,000 training scenes, scored on the first 500 test scenes), except for the
optimiser, which is SPADE's own TTUR (G 1e-4, D 4e-4, Adam betas (0, 0.999)). Every
``eval_every`` steps it measures the segmenter's mIoU on generated images of held-out maps, and
at the end the final figures; ``result.json`` in the run folder keeps them.

Generated images use z ~ N(0, I) drawn from ``torch.Generator().manual_seed(seed)`` (the
protocol's rule for noise-input generators, ``course_lib.models.label_maps.generate``), so the
scores are reproducible. ``course_lib.models.spade`` exports and loads the shipped model.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from course_lib.config import seed_everything
from course_lib.data.landscapes.pairs import LandscapePairs
from course_lib.metrics.translation import evaluate_translation
from course_lib.models.segmenter import load_segmenter
from course_lib.models.spade import SPADEConfig
from course_lib.models.weights_file import jsonable
from course_lib.training.gan_trainer import GANTrainer
from course_lib.training.pix2pixhd_run import PROTOCOL, TranslationProtocol
from course_lib.training.spade_task import SPADELossConfig, build_spade_task, spade_train_config


def train_spade(out_dir: str | Path | None = "runs/spade", config: SPADEConfig | None = None,
                loss: SPADELossConfig | None = None,
                protocol: TranslationProtocol = PROTOCOL, seed: int = 0, ttur: bool = True,
                progress: bool = True, final_eval: bool = True,
                ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores).

    ``ttur=False`` uses the protocol's optimiser (Adam 2e-4 for both, betas (0.5, 0.999)).
    """
    p, started = protocol, time.perf_counter()
    seed_everything(seed)
    config = config or SPADEConfig.course()
    loss = loss or SPADELossConfig.course()
    data = LandscapePairs("train", p.n_train, p.size, progress=progress)
    preview = LandscapePairs("test", 16, p.size).labels
    task = build_spade_task(config, loss, preview_labels=preview)
    optimiser = {} if ttur else dict(lr_g=p.lr, lr_d=p.lr, betas=p.betas)
    train_config = spade_train_config(
        steps=p.steps, batch_size=p.batch_size, seed=seed, log_every=min(50, p.steps),
        sample_every=p.eval_every, n_samples=16, checkpoint_every=p.eval_every,
        progress=progress, **optimiser)
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
        scores = evaluate_translation(trainer.nets["generator"], "test", p.n_eval, p.size,
                                      segmenter, fid=False)
        rows.append({"step": trainer.step, **scores,
                     "seconds": round(time.perf_counter() - started, 1)})
        if metrics_path is not None:
            pd.DataFrame(rows).to_csv(metrics_path, index=False)
    metrics = pd.DataFrame(rows)
    result: dict[str, Any] = {}
    if final_eval:
        result = evaluate_translation(trainer.nets["generator"], "test", p.n_test, p.size,
                                      segmenter)
        result = {k: round(v, 4) for k, v in result.items()}
        result.update(step=trainer.step, seed=seed, ttur=ttur,
                      lr_g=train_config.lr_g, lr_d=train_config.lr_d,
                      betas=list(train_config.betas),
                      train_seconds=round(time.perf_counter() - started, 1),
                      protocol=jsonable(asdict(p)), config=jsonable(asdict(config)),
                      loss=asdict(loss))
        if out_dir is not None:
            (Path(out_dir) / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return trainer, metrics, result


__all__ = ["train_spade"]
