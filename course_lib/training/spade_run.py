"""What ``course train spade`` does, as functions a notebook can call.

``train_spade`` trains ``SPADEConfig.course()`` (generator + style encoder) under the protocol
shared with unit 05 (``course_lib.training.pix2pixhd_run.PROTOCOL``: 64 px, batch 4, 2,000
steps, the first 4,000 training scenes, scored on the first 500 test scenes), except for the
optimiser, which is SPADE's own TTUR (G 1e-4, D 4e-4, Adam betas (0, 0.999)). Every
``eval_every`` steps it measures the segmenter's mIoU on generated images of held-out maps, and
at the end the final figures; ``result.json`` in the run folder keeps them.

Generated images use z ~ N(0, I) drawn from ``torch.Generator().manual_seed(seed)`` (the
protocol's rule for noise-input generators), so the scores are reproducible.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from course_lib.config import seed_everything
from course_lib.models.spade import SPADEConfig, SPADEGenerator, StyledSPADE
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    checkpoint_path,
    jsonable,
    load_weights,
    read_sidecar,
    save_weights,
)
from course_lib.training.gan_trainer import GANTrainer
from course_lib.training.pix2pixhd_run import PROTOCOL, TranslationProtocol
from course_lib.training.spade_task import (
    SPADELossConfig,
    build_spade_task,
    one_hot_maps,
    spade_train_config,
)
from course_lib.training.translation import LandscapePairs

CHECKPOINT_NAME = "spade_landscapes64"


def _generator(model: nn.Module) -> SPADEGenerator:
    return model.generator if isinstance(model, StyledSPADE) else model


@torch.no_grad()
def generate_spade(model: nn.Module, labels: torch.Tensor, z: torch.Tensor | None = None,
                   seed: int = 0, batch_size: int = 64) -> torch.Tensor:
    """Images (N, 3, H, W) in [-1, 1] for index maps (N, H, W), in eval mode, on the CPU.

    ``z`` (N, z_dim) defaults to N(0, I) noise from ``torch.Generator().manual_seed(seed)``;
    ``model`` is a ``SPADEGenerator`` or a ``StyledSPADE``.
    """
    generator = _generator(model)
    if z is None:
        z = generator.noise(len(labels), generator=torch.Generator().manual_seed(seed))
    was_training = generator.training
    generator.eval()
    device = next(generator.parameters()).device
    out = [generator(one_hot_maps(labels[i:i + batch_size].to(device),
                                  generator.config.label_nc),
                     z[i:i + batch_size].to(device)).float().cpu()
           for i in range(0, len(labels), batch_size)]
    generator.train(was_training)
    return torch.cat(out)


def evaluate_spade(model: nn.Module, split: str = "test", n: int = 500, size: int = 64,
                   segmenter: nn.Module | None = None, fid: bool = True, seed: int = 0
                   ) -> dict[str, float]:
    """The protocol's figures for SPADE: mIoU, pixel accuracy (and FID against the real renders
    of the same maps) of images generated with z from ``manual_seed(seed)``."""
    from course_lib.models.segmenter import landscape_fid, load_segmenter, segmentation_scores

    segmenter = segmenter or load_segmenter()
    pairs = LandscapePairs(split, n, size)
    fake = generate_spade(model, pairs.labels, seed=seed)
    scores = segmentation_scores(segmenter, fake, pairs.labels)
    out = {"miou": scores["miou"], "pixel_accuracy": scores["pixel_accuracy"]}
    if fid:
        out["fid"] = landscape_fid(segmenter, fake, pairs.photos())
    return out


def train_spade(out_dir: str | Path | None = "runs/spade", config: SPADEConfig | None = None,
                loss: SPADELossConfig | None = None,
                protocol: TranslationProtocol = PROTOCOL, seed: int = 0, ttur: bool = True,
                progress: bool = True, final_eval: bool = True,
                ) -> tuple[GANTrainer, pd.DataFrame, dict[str, Any]]:
    """Train, tracking mIoU over time; return (trainer, metrics history, final scores).

    ``ttur=False`` uses the protocol's optimiser (Adam 2e-4 for both, betas (0.5, 0.999)).
    """
    from course_lib.models.segmenter import load_segmenter

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
        scores = evaluate_spade(trainer.nets["generator"], "test", p.n_eval, p.size, segmenter,
                                fid=False)
        rows.append({"step": trainer.step, **scores,
                     "seconds": round(time.perf_counter() - started, 1)})
        if metrics_path is not None:
            pd.DataFrame(rows).to_csv(metrics_path, index=False)
    metrics = pd.DataFrame(rows)
    result: dict[str, Any] = {}
    if final_eval:
        result = evaluate_spade(trainer.nets["generator"], "test", p.n_test, p.size, segmenter)
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


def export_spade(model: StyledSPADE, meta: dict[str, Any], path: str | Path | None = None
                 ) -> Path:
    """Write the generator and style encoder as fp16 safetensors plus a JSON sidecar."""
    sidecar = {"config": jsonable(asdict(model.config)),
               "use_encoder": model.encoder is not None, **meta}
    return save_weights(model.state_dict(), checkpoint_path(path, CHECKPOINT_NAME), sidecar)


def load_spade(path: str | Path | None = None) -> StyledSPADE:
    """The shipped (or an exported) SPADE generator + style encoder: float32, eval, CPU.

    Also accepts a run folder of ``course train spade`` (its latest checkpoint).
    """
    from course_lib.models.weights_file import latest_network_weights

    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    found = latest_network_weights(path, "generator")
    if found:
        state, meta = found
        use_encoder = meta["losses"]["use_encoder"]
    else:
        state, meta = load_weights(path, "SPADE", "course train spade")
        use_encoder = meta["use_encoder"]
    model = StyledSPADE(SPADEConfig(**meta["config"]), use_encoder=use_encoder)
    model.load_state_dict(state)
    return model.eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of the shipped SPADE checkpoint (command, seed, date, quality)."""
    return read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))


__all__ = ["CHECKPOINT_NAME", "checkpoint_info", "evaluate_spade", "export_spade",
           "generate_spade", "load_spade", "replace", "train_spade"]
