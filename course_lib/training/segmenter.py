"""Train the Landscapes segmenter (``course train segmenter``) and measure it.

Plain supervised training: rendered 64 px scenes, random horizontal flips, per-pixel
cross-entropy, AdamW with a one-cycle learning rate. The number of scenes and epochs come
from the profile (``by_profile``), so the fast profile runs in seconds and the full one trains
the shipped checkpoint. The test split (seeds never used in training) gives the recorded mIoU.
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from course_lib.models.segmenter import (
    Segmenter,
    SegmenterConfig,
    save_segmenter,
    segmentation_scores,
)


@dataclass
class SegmenterTrainConfig:
    """Training settings; ``None`` sizes are filled from the profile."""

    size: int = 64
    n_train: int | None = None
    n_test: int | None = None
    epochs: int | None = None
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    threads: int | None = None


def _images(array: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [-1, 1]."""
    x = torch.from_numpy(np.array(array, dtype=np.uint8)).permute(0, 3, 1, 2).float()
    return x / 127.5 - 1.0


def evaluate_on_split(model: Segmenter, split: str = "test", n: int = 1000, size: int = 64,
                      progress: bool = False) -> dict[str, Any]:
    """mIoU and pixel accuracy of ``model`` on the first ``n`` rendered scenes of ``split``."""
    from course_lib.data.landscapes.dataset import cached_split

    images, labels = cached_split(split, size, n, progress=progress)
    return segmentation_scores(model, _images(images),
                               torch.from_numpy(np.array(labels, dtype=np.int64)))


def train_segmenter(config: SegmenterTrainConfig | None = None,
                    model_config: SegmenterConfig | None = None, progress: bool = True,
                    ) -> tuple[Segmenter, dict[str, Any]]:
    """Train a segmenter; returns the model (eval mode) and a report (history, test scores)."""
    import pandas as pd
    from tqdm.auto import tqdm

    from course_lib.config import by_profile, pick_device, seed_everything
    from course_lib.data.landscapes.dataset import cached_split

    cfg = config or SegmenterTrainConfig()
    n_train = cfg.n_train or by_profile(full=9_000, fast=512)
    epochs = cfg.epochs or by_profile(full=4, fast=1)
    n_test = cfg.n_test or by_profile(full=1000, fast=200)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    device = pick_device()
    started = time.perf_counter()
    images, labels = cached_split("train", cfg.size, n_train, progress=progress)
    x_all = torch.from_numpy(np.array(images, dtype=np.uint8))
    y_all = torch.from_numpy(np.array(labels, dtype=np.uint8))
    render_s = time.perf_counter() - started

    model = Segmenter(model_config).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = n_train // cfg.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr,
                                                total_steps=epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(cfg.seed)
    history = []
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n_train, generator=gen)
        flips = torch.rand(n_train, generator=gen) < 0.5
        total, bar = 0.0, tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}",
                               disable=not progress)
        for step in bar:
            idx = order[step * cfg.batch_size:(step + 1) * cfg.batch_size]
            x = x_all[idx].permute(0, 3, 1, 2).float() / 127.5 - 1.0
            y = y_all[idx].long()
            flip = flips[idx]
            x[flip] = x[flip].flip(-1)
            y[flip] = y[flip].flip(-1)
            loss = F.cross_entropy(model(x.to(device)), y.to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            if step % 20 == 0:
                bar.set_postfix(loss=f"{loss.item():.3f}")
        val = evaluate_on_split(model, "val", min(n_test, 500), cfg.size)
        history.append({"epoch": epoch + 1, "loss": total / steps_per_epoch,
                        "val_miou": val["miou"], "val_pixel_accuracy": val["pixel_accuracy"]})
        if progress:
            print(f"epoch {epoch + 1}: loss {total / steps_per_epoch:.4f}, "
                  f"val mIoU {val['miou']:.4f}, pixel accuracy {val['pixel_accuracy']:.4f}")
    train_s = time.perf_counter() - started - render_s
    model = model.cpu().eval()
    test = evaluate_on_split(model, "test", n_test, cfg.size, progress=progress)
    report = {
        "train_config": {**asdict(cfg), "n_train": n_train, "epochs": epochs, "n_test": n_test},
        "history": pd.DataFrame(history),
        "test": test,
        "render_seconds": round(render_s, 1),
        "train_seconds": round(train_s, 1),
        "device": str(device),
        "threads": torch.get_num_threads(),
    }
    return model, report


def write_checkpoint(model: Segmenter, report: dict[str, Any], path: str | Path,
                     command: str | None = None) -> Path:
    """Save ``model`` with a sidecar recording the command, seed, date and measured quality."""
    from course_lib.data.landscapes.dataset import RENDER_VERSION

    test = report["test"]
    meta = {
        "command": command or " ".join(["course", *sys.argv[1:]]),
        "seed": report["train_config"]["seed"],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "train": report["train_config"],
        "render_version": RENDER_VERSION,
        "quality": {
            "split": "test", "n": report["train_config"]["n_test"],
            "size": report["train_config"]["size"],
            "miou": round(test["miou"], 4), "pixel_accuracy": round(test["pixel_accuracy"], 4),
            "iou_per_class": [round(v, 4) for v in test["iou_per_class"]],
        },
        "history": report["history"].round(4).to_dict(orient="records"),
        "machine": f"{platform.machine()}, {report['device']}, {report['threads']} threads",
        "train_seconds": report["train_seconds"],
    }
    return save_segmenter(model, path, meta)
