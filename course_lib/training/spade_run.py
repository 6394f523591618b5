"""What ``course train spade`` does, as functions a notebook can call.

``train_spade`` trains ``SPADEConfig.course()`` (generator + style encoder) with the run units
05 and 06 share (:func:`course_lib.training.translation_run.train_translation`, under
``PROTOCOL``: 64 px, batch 4, 2,000 steps, the first 4,000 training scenes, scored on the first
500 test scenes), except for the optimiser, which is SPADE's own TTUR (G 1e-4, D 4e-4, Adam
betas (0, 0.999)). ``metrics.csv`` keeps the mIoU over time, ``result.json`` the final figures.

Generated images use z ~ N(0, I) drawn from ``torch.Generator().manual_seed(seed)`` (the
protocol's rule for noise-input generators, ``course_lib.models.label_maps.generate``), so the
scores are reproducible. ``export_spade_run`` writes the run's model as the checkpoint that
ships with the package (``course_lib.models.spade.load_spade`` loads it back).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from course_lib.models.spade import SPADEConfig, export_spade, load_spade
from course_lib.models.weights_file import jsonable
from course_lib.training.gan_trainer import GANTrainer
from course_lib.training.spade_task import SPADELossConfig, build_spade_task, spade_train_config
from course_lib.training.translation_run import (
    PROTOCOL,
    TranslationProtocol,
    run_sidecar,
    train_translation,
)


def train_spade(out_dir: str | Path | None = "runs/spade", config: SPADEConfig | None = None,
                loss: SPADELossConfig | None = None,
                protocol: TranslationProtocol = PROTOCOL, seed: int = 0, ttur: bool = True,
                progress: bool = True, final_eval: bool = True,
                ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores).

    ``ttur=False`` uses the protocol's optimiser (Adam 2e-4 for both, betas (0.5, 0.999)).
    """
    config = config or SPADEConfig.course()
    loss = loss or SPADELossConfig.course()
    train_config = spade_train_config(**protocol.schedule(seed, progress),
                                      **({} if ttur else protocol.optimiser()),
                                      lr_decay_from=protocol.lr_decay_from)
    optimiser = dict(ttur=ttur, lr_g=train_config.lr_g, lr_d=train_config.lr_d,
                     betas=list(train_config.betas))
    return train_translation(
        lambda preview: build_spade_task(config, loss, preview_labels=preview), train_config,
        protocol, out_dir, seed, optimiser=optimiser,
        recorded={"config": jsonable(asdict(config)), "loss": asdict(loss)},
        progress=progress, final_eval=final_eval)


def export_spade_run(run: str | Path, result: dict[str, Any], history: pd.DataFrame,
                     command: str, path: str | Path | None = None) -> Path:
    """Export the generator and style encoder of a finished run folder with the run's sidecar
    (command, seed, date, quality, protocol, optimiser, mIoU history)."""
    return export_spade(load_spade(run), run_sidecar(result, history, command), path)


__all__ = ["export_spade_run", "train_spade"]
