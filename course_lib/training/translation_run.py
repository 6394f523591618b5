"""One training run of a label-map-to-photo GAN (pix2pixHD, unit 05; SPADE, unit 06).

Both units train under one protocol (``PROTOCOL``: 64 px, batch 4, 2,000 steps, the first 4,000
training scenes, scored on the first 500 test scenes) so that their figures compare.
:func:`train_translation` is the run they share: the shared ``GANTrainer`` trains the task,
every ``eval_every`` steps the segmenter's mIoU on generated images for held-out test maps joins
``metrics.csv`` (the history a lecture plots; a resumed run keeps the rows up to its step), and
at the end the final figures (mIoU, pixel accuracy, landscape FID) go to ``result.json``.
``RECIPE`` is the longer schedule (8,000 steps, the last 4,000 with the paper's linear decay of
the learning rate to 0; about an hour on one CPU core). Both shipped models stretched it to
12,000 steps (decay from 6,000) and added the CLIP perceptual term (``course train pix2pixhd
--perceptual-weight 10 --steps 12000 --lr-decay-from 6000 --four-d-passes``; ``course train
spade --long-recipe --perceptual-weight 10 --steps 12000 --lr-decay-from 6000``); their
sidecars record the commands.

``TranslationProtocol.for_profile`` is the one rule for the sizes of a run: what is given
wins, the rest is the protocol's in the full profile and a quick run in the fast one.
:func:`run_sidecar` is what an exported model records about the run that made it.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from course_lib.config import by_profile, seed_everything
from course_lib.data.landscapes.pairs import LandscapePairs
from course_lib.metrics.translation import evaluate_translation
from course_lib.models.segmenter import load_segmenter
from course_lib.models.weights_file import jsonable
from course_lib.training.gan_trainer import GANTrainer, TrainConfig

#: The fast profile's run (CI, grading): 20 steps on 64 scenes, mIoU on 32 test maps every 10
#: steps, the final figures on 64, no learning-rate decay.
FAST = dict(steps=20, n_train=64, n_test=64, n_eval=32, eval_every=10, lr_decay_from=None)


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

    def for_profile(self, steps: int | None = None, n_train: int | None = None,
                    eval_every: int | None = None, lr_decay_from: int | None = None
                    ) -> TranslationProtocol:
        """This protocol with the given fields (None: not given) under the active profile:
        the rest stays as it is in the full profile and becomes ``FAST``'s in the fast one."""
        given = dict(steps=steps, n_train=n_train, eval_every=eval_every,
                     lr_decay_from=lr_decay_from)
        return replace(self, **{**by_profile(full={}, fast=FAST),
                                **{k: v for k, v in given.items() if v is not None}})

    def schedule(self, seed: int = 0, progress: bool = True) -> dict[str, Any]:
        """The ``TrainConfig`` fields the protocol sets: steps, batch, logging, samples and
        checkpoints at every evaluation."""
        return dict(steps=self.steps, batch_size=self.batch_size, seed=seed,
                    log_every=min(50, self.steps), sample_every=self.eval_every, n_samples=16,
                    checkpoint_every=self.eval_every, progress=progress)

    def optimiser(self) -> dict[str, Any]:
        """The protocol's Adam for both networks, as ``TrainConfig`` fields."""
        return dict(lr_g=self.lr, lr_d=self.lr, betas=self.betas)


PROTOCOL = TranslationProtocol()
#: How ``course train pix2pixhd`` trains the shipped model: the shared protocol, four times
#: longer, its second half with the paper's linear learning-rate decay.
RECIPE = TranslationProtocol(steps=8000, lr_decay_from=4000, eval_every=500)


def _seconds_so_far(out_dir: str | Path | None, rows: list[dict], step: int) -> float:
    """The seconds a run folder has already spent at ``step``: the total in ``result.json``
    when the last call finished there (its final scoring included), else the mIoU history's
    last row (a call that stopped between scorings loses the seconds after it)."""
    earlier = rows[-1]["seconds"] if rows else 0.0
    result = Path(out_dir) / "result.json" if out_dir is not None else None
    if result is not None and result.exists():
        finished = json.loads(result.read_text())
        if finished.get("step") == step:
            earlier = max(earlier, finished.get("train_seconds", 0.0))
    return earlier


def train_translation(build_task: Callable[[torch.Tensor], Any], train_config: TrainConfig,
                      protocol: TranslationProtocol = PROTOCOL,
                      out_dir: str | Path | None = None, seed: int = 0, *,
                      optimiser: dict[str, Any] | None = None,
                      recorded: dict[str, Any] | None = None,
                      prepare: Callable[[nn.Module, LandscapePairs], bool] | None = None,
                      progress: bool = True, final_eval: bool = True,
                      ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores).

    ``build_task(preview_labels)`` makes the fresh task (after seeding). ``result.json``
    records the scores, step and seed, ``optimiser`` (when the model has its own), the time
    (summed over the calls that trained the run, see ``_seconds_so_far``), the
    protocol and ``recorded`` (the model's configs). ``prepare(generator, data)`` readies G
    before each scoring (pix2pixHD's looks) and says whether it changed G: then the run
    folder saves G once more at the end.
    """
    p, started = protocol, time.perf_counter()
    seed_everything(seed)
    data = LandscapePairs("train", p.n_train, p.size, progress=progress)
    trainer = GANTrainer(build_task(LandscapePairs("test", 16, p.size).labels), data,
                         train_config, out_dir=out_dir)
    prepare = prepare or (lambda *_: False)
    segmenter = load_segmenter()
    metrics_path = Path(out_dir) / "metrics.csv" if out_dir is not None else None
    rows = (pd.read_csv(metrics_path).to_dict("records")
            if metrics_path is not None and metrics_path.exists() else [])
    rows = [r for r in rows if r["step"] <= trainer.step]  # a resumed run keeps its history
    earlier = _seconds_so_far(out_dir, rows, trainer.step)  # and its clock
    while trainer.step < p.steps:
        trainer.fit(min(p.steps, (trainer.step // p.eval_every + 1) * p.eval_every))
        if trainer.stopped:
            break
        prepare(trainer.nets["generator"], data)
        scores = evaluate_translation(trainer.nets["generator"], "test", p.n_eval, p.size,
                                      segmenter, fid=False)
        rows.append({"step": trainer.step, **scores,
                     "seconds": round(earlier + time.perf_counter() - started, 1)})
        if metrics_path is not None:
            pd.DataFrame(rows).to_csv(metrics_path, index=False)
    metrics = pd.DataFrame(rows)
    result: dict[str, Any] = {}
    if prepare(trainer.nets["generator"], data) and out_dir is not None and not trainer.stopped:
        trainer.save()  # the run folder keeps the looks its result.json was measured with
    if final_eval:
        scores = evaluate_translation(trainer.nets["generator"], "test", p.n_test, p.size,
                                      segmenter)
        result = {k: round(v, 4) for k, v in scores.items()}
        result.update(step=trainer.step, seed=seed, **(optimiser or {}),
                      train_seconds=round(earlier + time.perf_counter() - started, 1),
                      protocol=jsonable(asdict(p)), **(recorded or {}))
        if out_dir is not None:
            (Path(out_dir) / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return trainer, metrics, result


def run_sidecar(result: dict[str, Any], history: pd.DataFrame, command: str
                ) -> dict[str, Any]:
    """What an exported model records about its run: the command, seed and date, its quality,
    the protocol and training time, the optimiser (when the run recorded its own) and the
    mIoU history."""
    meta = {"command": command, "seed": result["seed"], "date": str(datetime.date.today()),
            "quality": {k: result[k] for k in ("miou", "pixel_accuracy", "fid")},
            "protocol": result["protocol"], "train_seconds": result["train_seconds"]}
    if "lr_g" in result:
        meta["optimiser"] = {k: result[k] for k in ("lr_g", "lr_d", "betas")}
    return {**meta, "history": history.round(4).to_dict("records")}
