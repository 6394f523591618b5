"""Train the Landscapes segmenter (``course train segmenter``) and measure it.

Plain supervised training: rendered 64 px scenes, random horizontal flips, per-pixel
cross-entropy, AdamW with a one-cycle learning rate. The number of scenes and epochs come
from the profile when not given, so the fast profile runs in seconds and the full one trains
the shipped checkpoint. The test split (seeds never used in training) gives the recorded mIoU.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from course_lib.data.pixels import from_uint8
from course_lib.metrics.segmentation import segmentation_scores
from course_lib.models.segmenter import Segmenter, SegmenterConfig, save_segmenter
from course_lib.training.loop import SupervisedRun, setup, to_tensor, train_renders
from course_lib.training.report import exported, landscapes_sidecar, train_report


@dataclass
class SegmenterTrainConfig:
    """Training settings; ``None`` sizes come from the profile (``filled``)."""

    size: int = 64
    n_train: int | None = None  # full 9,000, fast 512
    n_test: int | None = None  # full 1,000, fast 200
    epochs: int | None = None  # full 4, fast 1
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    threads: int | None = None

    def filled(self) -> SegmenterTrainConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, n_train=(9_000, 512), n_test=(1000, 200), epochs=(4, 1))


def evaluate_on_split(model: Segmenter, split: str = "test", n: int = 1000, size: int = 64,
                      progress: bool = False) -> dict[str, Any]:
    """mIoU and pixel accuracy of ``model`` on the first ``n`` rendered scenes of ``split``."""
    from course_lib.data.landscapes.dataset import cached_split

    images, labels = cached_split(split, size, n, progress=progress)
    return segmentation_scores(model, to_tensor(images),
                               torch.from_numpy(np.array(labels, dtype=np.int64)))


def train_segmenter(config: SegmenterTrainConfig | None = None,
                    model_config: SegmenterConfig | None = None, progress: bool = True,
                    run: str | Path | None = None, export: str | Path | None = None,
                    command: str = "") -> tuple[Segmenter, dict[str, Any]]:
    """Train a segmenter; returns the model (eval mode) and a report (history, test scores).

    ``run``: the folder of the interrupt-safe checkpoint; ``export``: where to write the model
    and its sidecar (recording ``command``), named in ``report["checkpoint"]``.
    """
    cfg = (config or SegmenterTrainConfig()).filled()
    n_train, epochs, n_test = cfg.n_train, cfg.epochs, cfg.n_test
    device = setup(cfg.seed, cfg.threads)
    started = time.perf_counter()
    x_all, y_all = train_renders(cfg.size, n_train, labels=True, progress=progress)
    render_s = time.perf_counter() - started

    model = Segmenter(model_config).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = n_train // cfg.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr,
                                                total_steps=epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(cfg.seed)
    loop = SupervisedRun(run, epochs * steps_per_epoch, model, opt, sched, gen,
                         settings={**asdict(cfg), "model": asdict(model.config)},
                         desc="segmenter", progress=progress)
    s = loop.state
    for step in loop.steps():
        epoch, i = divmod(step, steps_per_epoch)
        if i == 0:  # a new epoch: new order and flips
            s["order"] = torch.randperm(n_train, generator=gen)
            s["flips"] = torch.rand(n_train, generator=gen) < 0.5
            s["total"] = 0.0
        model.train()
        idx = s["order"][i * cfg.batch_size:(i + 1) * cfg.batch_size]
        x = from_uint8(x_all[idx], channels_last=True)
        y = y_all[idx].long()
        flip = s["flips"][idx]
        x[flip] = x[flip].flip(-1)
        y[flip] = y[flip].flip(-1)
        loss = F.cross_entropy(model(x.to(device)), y.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        s["total"] += loss.item()
        if i == steps_per_epoch - 1:
            val = evaluate_on_split(model, "val", min(n_test, 500), cfg.size)
            loop.history.append({"epoch": epoch + 1, "loss": s["total"] / steps_per_epoch,
                                 "val_miou": val["miou"],
                                 "val_pixel_accuracy": val["pixel_accuracy"]})
            if progress:
                print(f"epoch {epoch + 1}: loss {s['total'] / steps_per_epoch:.4f}, "
                      f"val mIoU {val['miou']:.4f}, pixel accuracy {val['pixel_accuracy']:.4f}")
    train_s = time.perf_counter() - started - render_s
    model = model.cpu().eval()
    test = evaluate_on_split(model, "test", n_test, cfg.size, progress=progress)
    report = train_report(cfg, loop.history, test, device, train_s, render_seconds=render_s)
    return model, exported(report, write_checkpoint, model, export, command)


def write_checkpoint(model: Segmenter, report: dict[str, Any], path: str | Path,
                     command: str | None = None) -> Path:
    """Save ``model`` with a sidecar recording the command, seed, date and measured quality."""
    test, train = report["test"], report["train_config"]
    quality = {"split": "test", "n": train["n_test"], "size": train["size"],
               "miou": round(test["miou"], 4), "pixel_accuracy": round(test["pixel_accuracy"], 4),
               "iou_per_class": [round(v, 4) for v in test["iou_per_class"]]}
    return save_segmenter(model, path, landscapes_sidecar(report, command, quality))
