"""What ``course train pix2pixhd`` does, as functions a notebook can call.

``train_pix2pixhd`` trains ``Pix2PixHDConfig.course()`` on Landscapes label maps -> photos with
the run units 05 and 06 share (:func:`course_lib.training.translation_run.train_translation`:
mIoU over time in ``metrics.csv``, the final figures in ``result.json``); before every scoring
it fits the looks of the feature encoder (:func:`fit_looks`). ``export_pix2pixhd_run`` writes
the run's generator as the small fp16 checkpoint that ships with the package
(``course_lib.models.pix2pixhd.load_pix2pixhd`` loads it back).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from torch import nn

from course_lib.data.landscapes.pairs import LandscapePairs
from course_lib.models.pix2pixhd import Pix2PixHDConfig, export_pix2pixhd, load_pix2pixhd
from course_lib.training.gan_trainer import GANTrainer, TrainConfig
from course_lib.training.spade_task import TTUR
from course_lib.training.translation import build_pix2pixhd_task
from course_lib.training.translation_run import (
    PROTOCOL,
    TranslationProtocol,
    run_sidecar,
    train_translation,
)


def train_pix2pixhd(out_dir: str | Path | None = "runs/pix2pixhd",
                    config: Pix2PixHDConfig | None = None,
                    protocol: TranslationProtocol = PROTOCOL, seed: int = 0,
                    progress: bool = True, final_eval: bool = True,
                    reuse_real_features: bool = True, ttur: bool = False,
                    ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores)
    (``reuse_real_features=False``: the shipped checkpoint's four-pass step, see
    :class:`~course_lib.training.translation.TranslationTask`; ``ttur``: SPADE's optimiser,
    :data:`~course_lib.training.spade_task.TTUR`, instead of the protocol's Adam 2e-4)."""
    config = config or Pix2PixHDConfig.course()
    optimiser = TTUR if ttur else protocol.optimiser()
    train_config = TrainConfig(**protocol.schedule(seed, progress), **optimiser,
                               lr_decay_from=protocol.lr_decay_from)
    return train_translation(
        lambda preview: build_pix2pixhd_task(config, preview, reuse_real_features),
        train_config, protocol, out_dir, seed,
        optimiser={"ttur": ttur, **optimiser, "betas": list(optimiser["betas"])} if ttur
        else None,
        recorded={"config": asdict(config)},
        prepare=lambda generator, data: fit_looks(generator, data, seed),
        progress=progress, final_eval=final_eval)


def fit_looks(generator: nn.Module, data: LandscapePairs, seed: int = 0,
              limit: int = 1000) -> bool:
    """With the feature encoder: cluster E's features of the first ``limit`` training photos
    (the looks that maps get at test time; 1,000 scenes give each class hundreds of regions
    for its 10 clusters) and return True. A generator without E has nothing to fit: False."""
    if not hasattr(generator, "fit_feature_clusters"):
        return False
    generator.fit_feature_clusters(data.photos(slice(limit)), data.labels[:limit], seed)
    return True


def export_pix2pixhd_run(run: str | Path, config: Pix2PixHDConfig, result: dict[str, Any],
                         history: pd.DataFrame, command: str,
                         path: str | Path | None = None) -> Path:
    """Export the generator of a finished run folder with the run's sidecar (command, seed,
    date, quality, protocol, mIoU history)."""
    return export_pix2pixhd(load_pix2pixhd(run), config, run_sidecar(result, history, command),
                            path)


__all__ = ["export_pix2pixhd_run", "fit_looks", "train_pix2pixhd"]
